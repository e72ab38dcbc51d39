package io.raftlog.chaos;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.chaos.audit.Consumed;
import io.raftlog.chaos.audit.Numbering;
import io.raftlog.chaos.audit.Sends;
import io.raftlog.chaos.history.AppendOutcome;
import io.raftlog.chaos.history.HistoryWriter;
import io.raftlog.chaos.history.Op;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.Subscription;
import io.raftlog.testkit.ProcessCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The load of a chaos run: one idempotent, batching producer sending at a fixed rate round robin
 * over {@code streams} streams, one subscription following the first stream from offset 0, and a
 * reader sending a few linearizable reads a second straight to random nodes. Every operation goes
 * into the run's {@link HistoryWriter}: each send (invoke, then ok, fail or unknown as {@link
 * AppendOutcome} decides; the client does not say which leader served it, so its node is {@code
 * client}), each subscription and each record it delivers, each read and its answer.
 *
 * <p>Threads: {@code chaos-producer} sends; the client's completion thread records answers; {@code
 * chaos-consumer} runs the subscription; {@code chaos-reader} the reads. The run's thread starts
 * and stops them.
 *
 * <p>Records are numbered as {@link Numbering} says; record {@code g}'s value starts {@code
 * chaos-0042|000000000017|} (stream name, number in the stream), so every record says where it
 * belongs.
 */
final class Workload {
  private static final int SEQ_DIGITS = 12;

  /** The reader's pace, page size and deadline: a few short reads a second, not a load. */
  private static final long READ_EVERY_MS = 250;

  private static final int READ_MAX_RECORDS = 10;
  private static final long READ_DEADLINE_MS = 2000;

  private final RaftlogClient client;
  private final ProcessCluster nodes;
  private final HistoryWriter history;

  /** Per stream, the largest offset acknowledged so far (-1: none): where the reader starts. */
  private final AtomicLongArray latestAcked;

  private final int rate;
  private final Numbering numbering;
  private final byte[] padding;

  /** Record number g to its acknowledged offset in its stream. */
  private final Map<Long, Long> acked = new ConcurrentHashMap<>();

  /** Record numbers whose send failed (they may or may not be in the log). */
  private final Map<Long, String> failed = new ConcurrentHashMap<>();

  /** Record number to System.nanoTime() of its send and of its acknowledgement. */
  private final Map<Long, Long> sentAt = new ConcurrentHashMap<>();

  private final Map<Long, Long> ackedAt = new ConcurrentHashMap<>();

  /** What the subscription of stream 0 delivered, in order: each record's number in its stream. */
  private final List<Long> consumed = new ArrayList<>();

  private final AtomicLong sent = new AtomicLong();

  /** How often the subscription gave up and was made again. */
  final AtomicLong resubscribed = new AtomicLong();

  private volatile boolean producing = true;
  private volatile long consumeUntil = Long.MAX_VALUE;
  private volatile String consumerError;
  private final Thread producer;
  private final Thread consumer;
  private final Thread reader;

  /** How many reads the reader sent, and how many of them failed (down node, election...). */
  final AtomicLong reads = new AtomicLong();

  final AtomicLong readsFailed = new AtomicLong();

  Workload(
      RaftlogClient client,
      ProcessCluster nodes,
      HistoryWriter history,
      int rate,
      int recordBytes,
      int streams) {
    this.client = client;
    this.nodes = nodes;
    this.history = history;
    this.rate = rate;
    this.numbering = new Numbering(streams);
    this.padding =
        new byte[Math.max(0, recordBytes - Numbering.streamName(0).length() - SEQ_DIGITS - 2)];
    Arrays.fill(padding, (byte) '.');
    this.latestAcked = new AtomicLongArray(streams);
    for (int i = 0; i < streams; i++) {
      latestAcked.set(i, -1);
    }
    this.producer = new Thread(this::produce, "chaos-producer");
    this.consumer = new Thread(this::consume, "chaos-consumer");
    this.reader = new Thread(this::read, "chaos-reader");
  }

  long acked() {
    return acked.size();
  }

  /** The largest offset acknowledged so far in stream {@code i}, -1 if none. Any thread. */
  long latestAcked(int i) {
    return latestAcked.get(i);
  }

  long failed() {
    return failed.size();
  }

  /** What the producer sent and was told; call once it has stopped. */
  Sends sends() {
    return new Sends(numbering, acked, sentAt, ackedAt, failed);
  }

  /** What the subscription delivered; call once it has stopped. */
  Consumed subscription() {
    return new Consumed(consumed, consumerError);
  }

  void start() {
    producer.start();
    consumer.start();
    reader.start();
  }

  long sent() {
    return sent.get();
  }

  /** Stops sending and reading, and waits until every record sent has its answer. */
  void stopProducing() throws InterruptedException {
    producing = false;
    producer.join();
    reader.join();
    client.producer().flush();
  }

  /** Waits until the subscription has delivered {@code end} records, or the timeout passes. */
  void stopConsumingAt(long end, Duration timeout) throws InterruptedException {
    consumeUntil = end;
    consumer.join(timeout.toMillis());
    if (consumer.isAlive()) {
      consumer.interrupt();
      consumer.join();
      if (consumerError == null) {
        consumerError = "the subscription was at " + consumed.size() + " of " + end + " records";
      }
    }
  }

  static ByteString value(String stream, long seq, byte[] padding) {
    byte[] head =
        String.format("%s|%0" + SEQ_DIGITS + "d|", stream, seq).getBytes(StandardCharsets.US_ASCII);
    return ByteString.copyFrom(head).concat(ByteString.copyFrom(padding));
  }

  /** A record's stream and number, or null if it is not one of ours. */
  static Parsed parse(ByteString value) {
    String s = value.toString(StandardCharsets.US_ASCII);
    int bar = s.indexOf('|');
    if (bar < 0 || s.length() < bar + SEQ_DIGITS + 2 || s.charAt(bar + SEQ_DIGITS + 1) != '|') {
      return null;
    }
    try {
      return new Parsed(
          s.substring(0, bar), Long.parseLong(s.substring(bar + 1, bar + 1 + SEQ_DIGITS)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  record Parsed(String stream, long seq) {}

  /** A record's value as the history writes it: one character per byte. */
  static String text(ByteString value) {
    return value.toString(StandardCharsets.ISO_8859_1);
  }

  private void produce() {
    long start = System.nanoTime();
    for (long g = 0; producing; g++) {
      long due = start + g * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      }
      long n = g;
      int i = numbering.streamOf(g);
      String stream = Numbering.streamName(i);
      Record record =
          Record.newBuilder().setValue(value(stream, numbering.seqOf(g), padding)).build();
      long id = history.nextId();
      history.record(Op.appendInvoke(id, "client", stream, text(record.getValue())));
      sentAt.put(g, System.nanoTime());
      try {
        client
            .producer()
            .send(stream, record)
            .whenComplete(
                (offset, error) -> {
                  if (error == null) {
                    ackedAt.put(n, System.nanoTime());
                    acked.put(n, offset);
                    latestAcked.accumulateAndGet(i, offset, Math::max);
                    history.record(Op.appendOk(id, "client", stream, null, offset));
                  } else {
                    Throwable cause = AppendOutcome.unwrap(error);
                    failed.put(n, String.valueOf(cause));
                    history.record(
                        Op.appendNotOk(
                            id,
                            AppendOutcome.ofCompletion(cause),
                            "client",
                            stream,
                            null,
                            AppendOutcome.code(cause),
                            String.valueOf(cause.getMessage())));
                  }
                });
      } catch (RuntimeException e) {
        // buffer full for longer than the client's max block: the record never left the client
        failed.put(n, e.toString());
        history.record(
            Op.appendNotOk(
                id,
                Op.Type.FAIL,
                "client",
                stream,
                null,
                AppendOutcome.code(e),
                String.valueOf(e.getMessage())));
      }
      sent.incrementAndGet();
    }
  }

  private void consume() {
    // The stream exists from its first record on: subscribe once that is acknowledged.
    while (!acked.containsKey(0L) && consumed.size() < consumeUntil) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
    // A subscription gives up after the client's deadline (all nodes down for longer, as in a slow
    // full restart); then the consumer subscribes again where it stopped, as an application would.
    while (consumed.size() < consumeUntil && !Thread.currentThread().isInterrupted()) {
      String stream = Numbering.streamName(0);
      long id = history.nextId();
      history.record(Op.subscribeInvoke(id, "client", stream, consumed.size()));
      try (Subscription tail = client.subscribe(stream, consumed.size())) {
        while (consumed.size() < consumeUntil) {
          for (Record r : tail.poll(Duration.ofMillis(200))) {
            history.record(Op.delivered(id, "client", stream, r.getOffset(), text(r.getValue())));
            Parsed p = parse(r.getValue());
            consumed.add(p == null || !p.stream().equals(stream) ? -1 : p.seq());
          }
        }
      } catch (RuntimeException e) {
        history.record(
            Op.subscribeFail(
                id, "client", stream, AppendOutcome.code(e), String.valueOf(e.getMessage())));
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
        resubscribed.incrementAndGet();
        try {
          Thread.sleep(500);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  /**
   * A few linearizable reads a second, each of a random stream on a random live node, straight
   * through that node's stub (not the client, which would go to the leader): from the latest offset
   * acknowledged for the stream so far, or up to two before it, so a node serving an old state (a
   * deposed leader that still answers) returns too little and the checker calls it stale.
   */
  private void read() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (producing) {
      try {
        Thread.sleep(READ_EVERY_MS);
      } catch (InterruptedException e) {
        return;
      }
      List<String> up = nodes.upIds();
      if (up.isEmpty()) {
        continue;
      }
      String node = up.get(random.nextInt(up.size()));
      int i = random.nextInt(numbering.streams());
      if (latestAcked.get(i) < 0) {
        continue; // nothing acknowledged yet: a read could catch nothing stale
      }
      String stream = Numbering.streamName(i);
      long from = Math.max(0, latestAcked.get(i) - random.nextInt(3));
      long id = history.nextId();
      history.record(Op.readInvoke(id, node, stream, from, READ_MAX_RECORDS));
      reads.incrementAndGet();
      try {
        ConsumeResponse page =
            nodes
                .blocking(node)
                .withDeadlineAfter(READ_DEADLINE_MS, TimeUnit.MILLISECONDS)
                .consume(
                    ConsumeRequest.newBuilder()
                        .setStream(stream)
                        .setOffset(from)
                        .setMaxRecords(READ_MAX_RECORDS)
                        .setConsistency(Consistency.LINEARIZABLE)
                        .build());
        long[] offsets = new long[page.getRecordsCount()];
        List<String> values = new ArrayList<>(offsets.length);
        for (int k = 0; k < offsets.length; k++) {
          offsets[k] = page.getRecords(k).getOffset();
          values.add(text(page.getRecords(k).getValue()));
        }
        history.record(Op.readOk(id, node, stream, offsets, values));
      } catch (StatusRuntimeException e) {
        readsFailed.incrementAndGet();
        history.record(
            Op.readFail(
                id,
                node,
                stream,
                e.getStatus().getCode().name(),
                String.valueOf(e.getStatus().getDescription())));
      }
    }
  }
}
