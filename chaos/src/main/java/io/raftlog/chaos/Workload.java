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
 * The load of a chaos run: one producer sending uniquely numbered records at a fixed rate through
 * the client (idempotent, batching), and one subscription following the log from offset 0.
 */
final class Workload {
  private static final int SEQ_DIGITS = 12;

  private final RaftlogClient client;
  private final int rate;
  private final byte[] padding;

  /** sequence number to acknowledged offset. */
  final Map<Long, Long> acked = new ConcurrentHashMap<>();

  /** sequence numbers whose send failed (they may or may not be in the log). */
  final Map<Long, String> failed = new ConcurrentHashMap<>();

  /** sequence number to System.nanoTime() of its send and of its acknowledgement. */
  final Map<Long, Long> sentAt = new ConcurrentHashMap<>();

  final Map<Long, Long> ackedAt = new ConcurrentHashMap<>();

  /** What the subscription delivered, in order: the sequence in each record. */
  final List<Long> consumed = new ArrayList<>();

  private final AtomicLong sent = new AtomicLong();
  private volatile boolean producing = true;
  private volatile long consumeUntil = Long.MAX_VALUE;
  private volatile String consumerError;
  private final Thread producer;
  private final Thread consumer;

  Workload(RaftlogClient client, int rate, int recordBytes) {
    this.client = client;
    this.rate = rate;
    this.padding = new byte[Math.max(0, recordBytes - SEQ_DIGITS - 1)];
    Arrays.fill(padding, (byte) '.');
    this.producer = new Thread(this::produce, "chaos-producer");
    this.consumer = new Thread(this::consume, "chaos-consumer");
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

  static ByteString value(long seq, byte[] padding) {
    byte[] head = String.format("%0" + SEQ_DIGITS + "d|", seq).getBytes(StandardCharsets.US_ASCII);
    return ByteString.copyFrom(head).concat(ByteString.copyFrom(padding));
  }

  /** The sequence number a record carries, or -1 if it is not one of ours. */
  static long seqOf(ByteString value) {
    if (value.size() < SEQ_DIGITS + 1 || value.byteAt(SEQ_DIGITS) != '|') {
      return -1;
    }
    try {
      return Long.parseLong(value.substring(0, SEQ_DIGITS).toStringUtf8());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void produce() {
    long start = System.nanoTime();
    for (long seq = 0; producing; seq++) {
      long due = start + seq * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      }
      long s = seq;
      Record record = Record.newBuilder().setValue(value(seq, padding)).build();
      sentAt.put(seq, System.nanoTime());
      try {
        client
            .producer()
            .send(record)
            .whenComplete(
                (offset, error) -> {
                  if (error == null) {
                    ackedAt.put(s, System.nanoTime());
                    acked.put(s, offset);
                  } else {
                    failed.put(
                        s, String.valueOf(error.getCause() == null ? error : error.getCause()));
                  }
                });
      } catch (RuntimeException e) {
        failed.put(s, e.toString()); // buffer full for longer than the client's max block
      }
      sent.incrementAndGet();
    }
  }

  private void consume() {
    try (Subscription tail = client.subscribe(0)) {
      while (consumed.size() < consumeUntil) {
        for (Record r : tail.poll(Duration.ofMillis(200))) {
          consumed.add(seqOf(r.getValue()));
        }
      }
    } catch (RuntimeException e) {
      if (!Thread.currentThread().isInterrupted()) {
        consumerError = e.toString();
      }
    }
  }
}
