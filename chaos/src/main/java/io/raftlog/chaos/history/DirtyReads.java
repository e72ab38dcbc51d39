package io.raftlog.chaos.history;

import static io.raftlog.chaos.history.Violations.quote;

import io.raftlog.chaos.history.FinalLog.Stream;
import io.raftlog.chaos.history.Violation.Kind;

/**
 * The rule {@link ReadJudge} and {@link SubscriptionJudge} share: a value returned at an offset is
 * the one the final log holds there, or it is a {@link Kind#DIRTY_READ}. The checker's thread.
 */
final class DirtyReads {
  private final Judging j;

  DirtyReads(Judging j) {
    this.j = j;
  }

  /** Whether {@code value} is what the final log holds at {@code offset}; a DIRTY_READ if not. */
  boolean matchesFinal(Stream s, long offset, String value, String who) {
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
