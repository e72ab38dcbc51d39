package io.raftlog.chaos.history;

import io.raftlog.chaos.history.FinalLog.Stream;
import io.raftlog.chaos.history.Violation.Kind;
import java.util.HashMap;
import java.util.Map;

/**
 * Judges the linearizable {@code read} lines of the second pass: the records returned are
 * consecutive from the offset asked, none below a first offset a truncate had answered before, and
 * match the final log ({@link DirtyReads}), and the read does not miss an append acknowledged
 * before it was invoked ({@link LatestAcks}): it does not end before that offset unless cut short
 * by its max records, nor say the stream ends (OUT_OF_RANGE, unless it started below the stream's
 * final first offset, where records may have gone) or does not exist. Keeps the reads in flight;
 * runs on the checker's thread.
 */
final class ReadJudge {
  private final Judging j;
  private final DirtyReads dirty;
  private final Map<Long, Pending> pending = new HashMap<>();
  private long done;

  ReadJudge(Judging j, DirtyReads dirty) {
    this.j = j;
    this.dirty = dirty;
  }

  /** One {@code read} line, at {@code line}, of stream {@code s}. */
  void judge(Op op, Stream s, long line) throws HistoryFormatException {
    if (op.type() == Op.Type.INVOKE) {
      LatestAcks acks = j.acks();
      pending.put(
          op.id(),
          new Pending(
              op.node(),
              op.offset(),
              op.max(),
              acks.offset(s),
              acks.op(s),
              s.truncated,
              s.truncatedOp));
      return;
    }
    Pending r = pending.remove(op.id());
    if (r == null) {
      throw j.badLine(line, "read op " + op.id() + " completes but was never invoked");
    }
    done++;
    String who = "read op " + op.id() + " on " + r.node;
    if (op.type() == Op.Type.OK) {
      answered(op, r, s, who);
    } else if (r.required >= 0
        && (("OUT_OF_RANGE".equals(op.code()) && r.offset <= r.required + 1 && !mayBeGone(s, r))
            || "NOT_FOUND".equals(op.code()))) {
      stale(
          s,
          r,
          who,
          "answered "
              + op.code()
              + " ("
              + op.error()
              + "), but append op "
              + r.requiredOp
              + " had been acknowledged at offset "
              + r.required
              + " before the read was invoked");
    }
  }

  /** The reads completed, answered or failed. */
  long done() {
    return done;
  }

  private void answered(Op op, Pending r, Stream s, String who) {
    int n = op.offsets().length;
    for (int i = 0; i < n; i++) {
      long off = op.offsets()[i];
      if (off != r.offset + i) {
        j.violations()
            .add(
                Kind.DIRTY_READ,
                s.name,
                off,
                said(s, r, who) + "returned offset " + off + " in place " + i);
        break;
      }
      if (!dirty.judge(s, off, op.values().get(i), who, r.truncated, r.truncatedOp)) {
        break;
      }
    }
    if (r.required >= r.offset && n < r.max && r.offset + n <= r.required) {
      stale(
          s,
          r,
          who,
          "returned "
              + n
              + " of at most "
              + r.max
              + " records, ending before offset "
              + r.required
              + ", which append op "
              + r.requiredOp
              + " had been acknowledged at before the read was invoked");
    }
  }

  /**
   * Whether the offset a read started at may have been below the stream's first offset by then:
   * below its final first offset (first offsets only grow), so OUT_OF_RANGE may be the right
   * answer.
   */
  private static boolean mayBeGone(Stream s, Pending r) {
    return r.offset < s.first();
  }

  /** A STALE_READ: the read missed an append acknowledged before it was invoked. */
  private void stale(Stream s, Pending r, String who, String answer) {
    j.violations().add(Kind.STALE_READ, s.name, r.required, said(s, r, who) + answer);
  }

  /**
   * How a message about what a read returned begins: {@code a: read op 4 on node-2 from offset 1 }.
   */
  private static String said(Stream s, Pending r, String who) {
    return s.name + ": " + who + " from offset " + r.offset + " ";
  }

  /**
   * A read invoked and not yet completed; {@code required}: largest offset acked before; {@code
   * truncated}: highest first offset a truncate (op {@code truncatedOp}) had answered before.
   */
  private record Pending(
      String node,
      long offset,
      int max,
      long required,
      long requiredOp,
      long truncated,
      long truncatedOp) {}
}
