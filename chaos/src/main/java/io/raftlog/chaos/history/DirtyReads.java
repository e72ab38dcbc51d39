package io.raftlog.chaos.history;

import static io.raftlog.chaos.history.Violations.quote;

import io.raftlog.chaos.history.FinalLog.Stream;
import io.raftlog.chaos.history.Violation.Kind;

/**
 * The rules {@link ReadJudge} and {@link SubscriptionJudge} share: a record returned below a first
 * offset that a truncate had answered before the read was invoked is a {@link
 * Kind#TRUNCATED_RETURNED}; otherwise a value returned at or above the stream's final first offset
 * is the one the final log holds there, or it is a {@link Kind#DIRTY_READ} (below that offset the
 * final log cannot say). The checker's thread.
 */
final class DirtyReads {
  private final Judging j;

  DirtyReads(Judging j) {
    this.j = j;
  }

  /**
   * Whether a record returned at {@code offset} is one the log may hold there, for a read invoked
   * when truncate op {@code truncateOp} had answered first offset {@code truncated} (the highest
   * answered then); a violation if not.
   */
  boolean judge(Stream s, long offset, String value, String who, long truncated, long truncateOp) {
    if (offset < truncated) {
      j.violations()
          .add(
              Kind.TRUNCATED_RETURNED,
              s.name,
              offset,
              s.name
                  + " offset "
                  + offset
                  + ": "
                  + who
                  + " returned "
                  + quote(value)
                  + ", but truncate op "
                  + truncateOp
                  + " had answered first offset "
                  + truncated
                  + " before it was invoked");
      return false;
    }
    return offset < s.first() || matchesFinal(s, offset, value, who);
  }

  /** Whether {@code value} is what the final log holds at {@code offset}; a DIRTY_READ if not. */
  private boolean matchesFinal(Stream s, long offset, String value, String who) {
    long h = FinalLog.hash(value);
    if (j.log().holds(s, offset, h)) {
      return true;
    }
    long[] at = j.log().places(h);
    j.violations()
        .add(
            Kind.DIRTY_READ,
            s.name,
            offset,
            s.name
                + " offset "
                + offset
                + ": "
                + who
                + " returned "
                + quote(value)
                + ", which the final log "
                + (at.length == 0 ? "does not hold at all" : "holds at " + j.log().where(at))
                + (offset < s.size()
                    ? ""
                    : " (the final log ends at offset " + (s.size() - 1) + ")"));
    return false;
  }
}
