package io.raftlog.chaos.audit;

import io.raftlog.chaos.history.Verdict;
import io.raftlog.chaos.history.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link RunRecord} for the audit's tests, right unless a test breaks it: two streams (shards 0
 * and 1) of three records each, every record acknowledged at its offset, both nodes' replicas equal
 * to the linearizable read, the subscription saw stream 0, no fault, a clean history.
 */
final class RunBuilder {
  final Numbering numbering = new Numbering(2);
  List<StreamContent> truth = new ArrayList<>(List.of(stream(0, 1, 2), stream(0, 1, 2)));
  List<Integer> shardOf = List.of(0, 1);
  List<ReplicaRead> replicaReads;
  final Map<Long, Long> acked = new HashMap<>();
  final Map<Long, Long> sentAt = new HashMap<>();
  final Map<Long, Long> ackedAt = new HashMap<>();
  final Map<Long, String> failed = new HashMap<>();
  Consumed consumed;
  List<Fault> faults = List.of();
  long notSteppedDown;
  List<String> underReplicated = List.of();
  Verdict history = verdict(List.of());
  private boolean ackedAsRead = true;

  /** A dense stream holding records {@code seqs} (-1: a foreign one); its digest names them. */
  static StreamContent stream(long... seqs) {
    return new StreamContent(0, boxed(seqs), true, "sha-" + Arrays.toString(seqs));
  }

  static StreamContent sparse(long... seqs) {
    return new StreamContent(0, boxed(seqs), false, "sha-" + Arrays.toString(seqs));
  }

  /** A dense stream from offset {@code first} on, holding records {@code seqs}. */
  static StreamContent from(long first, long... seqs) {
    return new StreamContent(first, boxed(seqs), true, "sha-" + first + Arrays.toString(seqs));
  }

  /** A verdict listing {@code found}, each of which counts. */
  static Verdict verdict(List<Violation> found) {
    Map<Violation.Kind, Long> counts = new EnumMap<>(Violation.Kind.class);
    found.forEach(v -> counts.merge(v.kind(), 1L, Long::sum));
    return new Verdict(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, counts, found, 0);
  }

  /** Record {@code seq} of stream {@code stream} acknowledged at {@code offset}. */
  RunBuilder ack(int stream, long seq, long offset) {
    ackedAsRead = false;
    acked.put(seq * numbering.streams() + stream, offset);
    return this;
  }

  RunBuilder stream(int i, StreamContent content) {
    truth.set(i, content);
    return this;
  }

  RunRecord build() {
    if (ackedAsRead) {
      for (int i = 0; i < truth.size(); i++) {
        List<Long> seqs = truth.get(i).seqs();
        for (int offset = 0; offset < seqs.size(); offset++) {
          if (seqs.get(offset) >= 0) {
            acked.putIfAbsent(
                seqs.get(offset) * numbering.streams() + i, truth.get(i).first() + offset);
          }
        }
      }
    }
    List<ReplicaRead> reads = replicaReads;
    if (reads == null) {
      reads = new ArrayList<>();
      for (String node : List.of("1", "2")) {
        for (int i = 0; i < truth.size(); i++) {
          reads.add(new ReplicaRead(node, i, truth.get(i)));
        }
      }
    }
    return new RunRecord(
        shardOf,
        truth,
        reads,
        new Sends(numbering, acked, sentAt, ackedAt, failed),
        consumed != null ? consumed : new Consumed(truth.get(0).seqs(), null),
        faults,
        notSteppedDown,
        history,
        underReplicated);
  }

  private static List<Long> boxed(long... seqs) {
    return Arrays.stream(seqs).boxed().toList();
  }
}
