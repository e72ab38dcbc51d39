package io.raftlog.chaos;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load of a chaos run: one idempotent, batching producer sending at a fixed rate round robin
 * over {@code streams} streams, and one subscription following the first stream from offset 0.
 *
 * <p>Record {@code g} (counting from 0 over the whole run) goes to stream {@code g mod streams} as
 * that stream's record number {@code g / streams}; its value starts {@code
 * chaos-0042|000000000017|} (stream name, number in the stream), so every record says where it
 * belongs.
 */
final class Workload {
  private static final int SEQ_DIGITS = 12;

  private final RaftlogClient client;
  private final int rate;
  private final int streams;
  private final byte[] padding;

  /** Record number g to its acknowledged offset in its stream. */
  final Map<Long, Long> acked = new ConcurrentHashMap<>();

  /** Record numbers whose send failed (they may or may not be in the log). */
  final Map<Long, String> failed = new ConcurrentHashMap<>();

  /** Record number to System.nanoTime() of its send and of its acknowledgement. */
  final Map<Long, Long> sentAt = new ConcurrentHashMap<>();

  final Map<Long, Long> ackedAt = new ConcurrentHashMap<>();

  /** What the subscription of stream 0 delivered, in order: each record's number in its stream. */
  final List<Long> consumed = new ArrayList<>();

  private final AtomicLong sent = new AtomicLong();

  /** How often the subscription gave up and was made again. */
  final AtomicLong resubscribed = new AtomicLong();

  private volatile boolean producing = true;
  private volatile long consumeUntil = Long.MAX_VALUE;
  private volatile String consumerError;
  private final Thread producer;
  private final Thread consumer;

  Workload(RaftlogClient client, int rate, int recordBytes, int streams) {
    this.client = client;
    this.rate = rate;
    this.streams = streams;
    this.padding = new byte[Math.max(0, recordBytes - streamName(0).length() - SEQ_DIGITS - 2)];
    Arrays.fill(padding, (byte) '.');
    this.producer = new Thread(this::produce, "chaos-producer");
    this.consumer = new Thread(this::consume, "chaos-consumer");
  }

  static String streamName(int i) {
    return String.format("chaos-%04d", i);
  }

  int streams() {
    return streams;
  }

  int streamOf(long g) {
    return (int) (g % streams);
  }

  long seqOf(long g) {
    return g / streams;
  }

  void start() {
    producer.start();
    consumer.start();
  }

  long sent() {
    return sent.get();
  }

  /** Stops sending and waits until every record sent has its answer. */
  void stopProducing() throws InterruptedException {
    producing = false;
    producer.join();
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

  String consumerError() {
    return consumerError;
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
      String stream = streamName(streamOf(g));
      Record record = Record.newBuilder().setValue(value(stream, seqOf(g), padding)).build();
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
                  } else {
                    failed.put(
                        n, String.valueOf(error.getCause() == null ? error : error.getCause()));
                  }
                });
      } catch (RuntimeException e) {
        failed.put(n, e.toString()); // buffer full for longer than the client's max block
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
      try (Subscription tail = client.subscribe(streamName(0), consumed.size())) {
        while (consumed.size() < consumeUntil) {
          for (Record r : tail.poll(Duration.ofMillis(200))) {
            Parsed p = parse(r.getValue());
            consumed.add(p == null || !p.stream().equals(streamName(0)) ? -1 : p.seq());
          }
        }
      } catch (RuntimeException e) {
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
}
