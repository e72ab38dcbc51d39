package io.raftlog.chaos;

import io.raftlog.api.v1.Retention;
import io.raftlog.chaos.audit.Numbering;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which of a chaos run's streams are bounded, and how: every tenth stream from the second ({@code
 * chaos-0001}, {@code chaos-0011}, ...) is truncated from time to time ({@link Truncator}), every
 * tenth from the third is created keeping its last {@value #MAX_RECORDS} records, every tenth from
 * the fourth gets a {@value #MAX_BYTES}-byte retention by an UpdateStream after its creation; the
 * others, the subscribed first stream among them, keep every record. Named consumers ({@link
 * NamedConsumers}) read the second to the fifth stream: one truncated, one of each retention, one
 * kept whole. The run's thread makes the bounded streams before the workload starts.
 */
final class StreamPlan {
  static final long MAX_RECORDS = 30;
  static final long MAX_BYTES = 4096;

  /** How many streams named consumers read, from the second on. */
  private static final int CONSUMED = 4;

  private final int streams;

  StreamPlan(int streams) {
    this.streams = streams;
  }

  /** What is done to stream {@code i} besides appending. */
  enum Bound {
    NONE,
    TRUNCATED,
    MAX_RECORDS,
    MAX_BYTES
  }

  static Bound of(int i) {
    return switch (i % 10) {
      case 1 -> Bound.TRUNCATED;
      case 2 -> Bound.MAX_RECORDS;
      case 3 -> Bound.MAX_BYTES;
      default -> Bound.NONE;
    };
  }

  /** The streams {@link Truncator} truncates. */
  List<Integer> truncated() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      if (of(i) == Bound.TRUNCATED) {
        out.add(i);
      }
    }
    return out;
  }

  /** The streams named consumers read: the second to the fifth, those the run has. */
  List<Integer> consumed() {
    List<Integer> out = new ArrayList<>();
    for (int i = 1; i <= CONSUMED && i < streams; i++) {
      out.add(i);
    }
    return out;
  }

  /**
   * Creates the streams with a retention (the others are made by their first append); a stream that
   * cannot be made so is left to its first append (it then keeps every record, which the checks
   * allow too), and {@code log} says how many, and the first one's error.
   *
   * @return how many streams got their retention
   */
  int createBounded(RaftlogClient client, PrintStream log) {
    int made = 0;
    int unmade = 0;
    String firstError = null;
    for (int i = 0; i < streams; i++) {
      Bound b = of(i);
      if (b != Bound.MAX_RECORDS && b != Bound.MAX_BYTES) {
        continue;
      }
      String name = Numbering.streamName(i);
      try {
        if (b == Bound.MAX_RECORDS) {
          Retention keep = Retention.newBuilder().setMaxRecords(MAX_RECORDS).build();
          create(client, name, keep);
        } else {
          create(client, name, Retention.getDefaultInstance());
          client.updateStream(name, Retention.newBuilder().setMaxBytes(MAX_BYTES).build());
        }
        made++;
      } catch (RaftlogException e) {
        unmade++;
        firstError = firstError == null ? e.getMessage() : firstError;
      }
    }
    if (unmade > 0) {
      log.printf(
          "chaos: %d streams keep every record, their retention could not be set: %s%n",
          unmade, firstError);
    }
    return made;
  }

  /** Creates {@code name} with {@code retention}; if a retried create had made it, updates it. */
  private static void create(RaftlogClient client, String name, Retention retention) {
    try {
      client.createStream(name, Map.of(), retention);
    } catch (RaftlogException e) {
      if (e.code() != io.grpc.Status.Code.ALREADY_EXISTS) {
        throw e;
      }
      client.updateStream(name, retention);
    }
  }
}
