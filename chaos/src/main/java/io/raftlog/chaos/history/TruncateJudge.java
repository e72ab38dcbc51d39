package io.raftlog.chaos.history;

import io.raftlog.chaos.history.FinalLog.Stream;
import io.raftlog.chaos.history.Violation.Kind;
import java.util.HashMap;
import java.util.Map;

/**
 * Judges the {@code truncate} lines of the second pass: a truncate answers a first offset at or
 * above the one it asked for and at or above every one answered before it was invoked (a stream's
 * first offset only grows). It raises each stream's {@link Stream#truncated}, below which reads
 * invoked later may return nothing ({@link DirtyReads}). Runs on the checker's thread.
 */
final class TruncateJudge {
  private final Judging j;
  private final Map<Long, Pending> pending = new HashMap<>();
  private long ok;

  TruncateJudge(Judging j) {
    this.j = j;
  }

  /** One {@code truncate} line, at {@code line}, of stream {@code s}. */
  void judge(Op op, Stream s, long line) throws HistoryFormatException {
    if (op.type() == Op.Type.INVOKE) {
      pending.put(op.id(), new Pending(op.offset(), s.truncated, s.truncatedOp));
      return;
    }
    Pending t = pending.remove(op.id());
    if (t == null) {
      throw j.badLine(line, "truncate op " + op.id() + " completes but was never invoked");
    }
    if (op.type() != Op.Type.OK) {
      return; // failed or unknown: it may have moved the first offset, which only grows anyway
    }
    ok++;
    long first = op.offset();
    if (first < t.before || first < t.truncated) {
      j.violations()
          .add(
              Kind.FIRST_OFFSET_WENT_BACK,
              s.name,
              first,
              s.name
                  + ": truncate op "
                  + op.id()
                  + " below offset "
                  + t.before
                  + " answered first offset "
                  + first
                  + (first < t.before
                      ? ""
                      : ", but truncate op "
                          + t.truncatedOp
                          + " had answered "
                          + t.truncated
                          + " before it was invoked"));
    }
    if (first > s.truncated) {
      s.truncated = first;
      s.truncatedOp = op.id();
    }
  }

  /** The truncates acknowledged. */
  long ok() {
    return ok;
  }

  /**
   * A truncate invoked and not yet completed: the offset it asked for, and the highest first offset
   * answered (by op {@code truncatedOp}) when it was invoked.
   */
  private record Pending(long before, long truncated, long truncatedOp) {}
}
