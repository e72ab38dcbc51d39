package io.raftlog.chaos.history;

import io.raftlog.chaos.history.FinalLog.Stream;
import io.raftlog.chaos.history.Violation.Kind;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Judges the {@code subscribe} lines of the second pass: each open subscription delivers
 * consecutive offsets from where it started, each matching the final log ({@link DirtyReads}).
 * Keeps the open subscriptions and the offset each must deliver next; runs on the checker's thread.
 */
final class SubscriptionJudge {
  private final Path file;
  private final FinalLog log;
  private final DirtyReads dirty;
  private final Violations violations;
  private final Map<Long, Open> open = new HashMap<>();
  private long deliveries;

  SubscriptionJudge(Path file, FinalLog log, DirtyReads dirty, Violations violations) {
    this.file = file;
    this.log = log;
    this.dirty = dirty;
    this.violations = violations;
  }

  void judge(Op op, long line) throws HistoryFormatException {
    Stream s = log.stream(op.stream());
    switch (op.type()) {
      case INVOKE -> open.put(op.id(), new Open(op.offset()));
      case OK -> delivered(op, line, s);
      default -> open.remove(op.id());
    }
  }

  /** The records delivered, by all subscriptions. */
  long deliveries() {
    return deliveries;
  }

  private void delivered(Op op, long line, Stream s) throws HistoryFormatException {
    Open sub = open.get(op.id());
    if (sub == null) {
      throw new HistoryFormatException(
          file
              + " line "
              + line
              + ": subscription "
              + op.id()
              + " delivers but was never opened (or had ended)");
    }
    deliveries++;
    String who = "subscription " + op.id();
    if (op.offset() != sub.next) {
      violations.add(
          Kind.SUBSCRIPTION_GAP,
          s.name,
          op.offset(),
          s.name
              + ": "
              + who
              + " delivered offset "
              + op.offset()
              + " where offset "
              + sub.next
              + " was next");
    }
    sub.next = op.offset() + 1;
    dirty.matchesFinal(s, op.offset(), op.value(), who);
  }

  /** An open subscription and the offset it must deliver next. */
  private static final class Open {
    long next;

    Open(long next) {
      this.next = next;
    }
  }
}
