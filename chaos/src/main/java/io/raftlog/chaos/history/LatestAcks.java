package io.raftlog.chaos.history;

import io.raftlog.chaos.history.FinalLog.Stream;
import java.util.Arrays;

/**
 * Per stream, the largest offset acknowledged so far in the second pass and the append op that got
 * it: what an append or a read invoked now must respect. {@link AppendJudge} raises it, {@link
 * ReadJudge} reads it; both on the checker's thread.
 */
final class LatestAcks {
  private long[] offsets = new long[0];
  private long[] ops = new long[0];

  /** The largest offset acknowledged in {@code s}, -1 if none. */
  long offset(Stream s) {
    return s.index < offsets.length ? offsets[s.index] : -1;
  }

  /** The append op acknowledged at {@link #offset}, -1 if none. */
  long op(Stream s) {
    return s.index < ops.length ? ops[s.index] : -1;
  }

  /** Append op {@code op} was acknowledged at {@code offset} of {@code s}. */
  void acked(Stream s, long offset, long op) {
    if (offset <= offset(s)) {
      return;
    }
    if (s.index >= offsets.length) {
      int n = Math.max(s.index + 1, offsets.length * 2);
      int old = offsets.length;
      offsets = Arrays.copyOf(offsets, n);
      ops = Arrays.copyOf(ops, n);
      Arrays.fill(offsets, old, n, -1);
      Arrays.fill(ops, old, n, -1);
    }
    offsets[s.index] = offset;
    ops[s.index] = op;
  }
}
