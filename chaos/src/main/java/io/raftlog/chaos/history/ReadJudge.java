package io.raftlog.chaos.history;

import io.raftlog.chaos.history.FinalLog.Stream;
import io.raftlog.chaos.history.Violation.Kind;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Judges the linearizable {@code read} lines of the second pass: the records returned are
 * consecutive from the offset asked and match the final log ({@link DirtyReads}), and the read does
 * not miss an append acknowledged before it was invoked ({@link LatestAcks}): it does not end
 * before that offset unless cut short by its max records, nor say the stream ends or does not
 * exist. Keeps the reads in flight; runs on the checker's thread.
 */
final class ReadJudge {
  private final Path file;
  private final FinalLog log;
  private final LatestAcks acks;
  private final DirtyReads dirty;
  private final Violations violations;
  private final Map<Long, Pending> pending = new HashMap<>();
  private long done;

  ReadJudge(Path file, FinalLog log, LatestAcks acks, DirtyReads dirty, Violations violations) {
    this.file = file;
    this.log = log;
    this.acks = acks;
    this.dirty = dirty;
    this.violations = violations;
  }

  void judge(Op op, long line) throws HistoryFormatException {
    Stream s = log.stream(op.stream());
    if (op.type() == Op.Type.INVOKE) {
      pending.put(
          op.id(), new Pending(op.node(), op.offset(), op.max(), acks.offset(s), acks.op(s)));
      return;
    }
    Pending r = pending.remove(op.id());
    if (r == null) {
      throw new HistoryFormatException(
          file + " line " + line + ": read op " + op.id() + " completes but was never invoked");
    }
    done++;
    String who = "read op " + op.id() + " on " + r.node;
    if (op.type() == Op.Type.OK) {
      answered(op, r, s, who);
    } else if (r.required >= 0
        && (("OUT_OF_RANGE".equals(op.code()) && r.offset <= r.required + 1)
            || "NOT_FOUND".equals(op.code()))) {
      violations.add(
          Kind.STALE_READ,
          s.name,
          r.required,
          s.name
              + ": "
              + who
              + " from offset "
              + r.offset
              + " answered "
              + op.code()
              + " ("
              + op.error()
              + "), but append op "
              + r.requiredOp
              + " had been acknowledged at"
              + " offset "
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
        violations.add(
            Kind.DIRTY_READ,
            s.name,
            off,
            s.name
                + ": "
                + who
                + " from offset "
                + r.offset
                + " returned offset "
                + off
                + " in place "
                + i);
        break;
      }
      if (!dirty.matchesFinal(s, off, op.values().get(i), who)) {
        break;
      }
    }
    if (r.required >= r.offset && n < r.max && r.offset + n <= r.required) {
      violations.add(
          Kind.STALE_READ,
          s.name,
          r.required,
          s.name
              + ": "
              + who
              + " from offset "
              + r.offset
              + " returned "
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

  /** A read invoked and not yet completed; {@code required}: largest offset acked before. */
  private record Pending(String node, long offset, int max, long required, long requiredOp) {}
}
