package io.raftlog.chaos.history;

import io.raftlog.chaos.history.Violation.Kind;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Judges named consumers' {@code commit}, {@code position} and final lines of the second pass. No
 * workload commit is forced, so a consumer's committed offset only grows: a commit or a read-back
 * invoked after a committed offset was acknowledged (by a commit, or seen by a read-back) answers
 * at least that offset ({@link Kind#COMMIT_WENT_BACK}); and at the end it is the highest
 * acknowledged, or a higher one a commit whose outcome is unknown sent ({@link Kind#COMMIT_LOST}).
 * Runs on the checker's thread.
 */
final class ConsumerJudge {
  private final Judging j;

  /** Per {@code stream/consumer}, in the order first seen. */
  private final Map<String, Consumer> consumers = new LinkedHashMap<>();

  private final Map<Long, Pending> pending = new HashMap<>();
  private long commits;
  private long positions;

  ConsumerJudge(Judging j) {
    this.j = j;
  }

  /** One {@code commit}, {@code position} or final position line, at {@code line}. */
  void judge(Op op, long line) throws HistoryFormatException {
    Consumer c = consumers.computeIfAbsent(op.stream() + "/" + op.consumer(), k -> new Consumer());
    String what = op.f().json() + " op " + op.id() + " of " + op.consumer() + " on " + op.stream();
    if (op.f() == Op.F.FINAL) {
      c.finalSeen = true;
      c.finalOffset = op.offset();
      return;
    }
    if (op.type() == Op.Type.INVOKE) {
      pending.put(op.id(), new Pending(op.offset(), c.floor, c.floorOp));
      if (op.f() == Op.F.COMMIT) {
        c.maybe.merge(op.offset(), 1, Integer::sum); // until it fails for certain
      }
      return;
    }
    Pending p = pending.remove(op.id());
    if (p == null) {
      throw j.badLine(line, what + " completes but was never invoked");
    }
    if (op.type() == Op.Type.OK) {
      if (op.f() == Op.F.COMMIT) {
        commits++;
      } else {
        positions++;
      }
      answered(op, c, p, what);
    } else if (op.f() == Op.F.COMMIT && op.type() == Op.Type.FAIL) {
      c.maybe.merge(p.offset, -1, Integer::sum);
    } else if (op.f() == Op.F.POSITION && "NOT_FOUND".equals(op.code()) && p.floor >= 0) {
      wentBack(op, p, what + " answered NOT_FOUND (" + op.error() + ")");
    }
  }

  private void answered(Op op, Consumer c, Pending p, String what) {
    if (op.offset() < p.floor) {
      wentBack(op, p, what + " answered committed offset " + op.offset());
    }
    if (op.offset() > c.floor) {
      c.floor = op.offset();
      c.floorOp = op.id();
    }
  }

  private void wentBack(Op op, Pending p, String said) {
    j.violations()
        .add(
            Kind.COMMIT_WENT_BACK,
            op.stream(),
            p.floor,
            op.stream()
                + ": "
                + said
                + ", but op "
                + p.floorOp
                + " had answered committed offset "
                + p.floor
                + " before it was invoked");
  }

  /** After pass 2: each consumer's final committed offset against its commits. */
  void finish() {
    for (Map.Entry<String, Consumer> e : consumers.entrySet()) {
      Consumer c = e.getValue();
      String name = e.getKey();
      String stream = name.substring(0, name.indexOf('/'));
      boolean possible = c.maybe.getOrDefault(c.finalOffset, 0) > 0;
      String finalSaid =
          !c.finalSeen
              ? "has no final read"
              : c.finalOffset < 0 ? "has no committed offset at the end" : null;
      if (finalSaid == null && c.finalOffset < c.floor) {
        finalSaid = "ends at committed offset " + c.finalOffset;
      }
      if (finalSaid == null && c.finalOffset > c.floor && !possible) {
        finalSaid = "ends at committed offset " + c.finalOffset + ", which no commit could set";
      }
      if (finalSaid != null && (c.floor >= 0 || c.finalOffset >= 0)) {
        j.violations()
            .add(
                Kind.COMMIT_LOST,
                stream,
                c.finalOffset,
                "consumer "
                    + name
                    + " "
                    + finalSaid
                    + (c.floor >= 0
                        ? "; op " + c.floorOp + " had answered committed offset " + c.floor
                        : "; no commit was acknowledged"));
      }
    }
  }

  /** Commits acknowledged. */
  long commits() {
    return commits;
  }

  /** Read-backs of a committed offset answered. */
  long positions() {
    return positions;
  }

  /** One consumer of one stream, as the second pass has seen it so far. */
  private static final class Consumer {
    /** The highest committed offset answered so far, by op {@code floorOp}; -1 if none. */
    long floor = -1;

    long floorOp = -1;

    /** Per offset, how many commits sent it and did not fail for certain. */
    final Map<Long, Integer> maybe = new HashMap<>();

    boolean finalSeen;
    long finalOffset = -1;
  }

  /**
   * A commit (its offset) or read-back (-1) invoked and not yet completed, with the highest
   * committed offset answered when it was invoked, and the op that answered it.
   */
  private record Pending(long offset, long floor, long floorOp) {}
}
