package io.raftlog.chaos.history;

import com.carrotsearch.hppc.LongLongHashMap;
import io.raftlog.chaos.history.FinalLog.Stream;
import io.raftlog.chaos.history.Violation.Kind;

/**
 * Judges the {@code subscribe} lines of the second pass: each open subscription delivers
 * consecutive offsets from where it started, none below a first offset a truncate had answered
 * before it opened, each matching the final log ({@link DirtyReads}). Keeps the open subscriptions
 * and the offset each must deliver next; runs on the checker's thread.
 */
final class SubscriptionJudge {
  private final Judging j;
  private final DirtyReads dirty;

  /** Each open subscription's id and the offset it must deliver next. */
  private final LongLongHashMap open = new LongLongHashMap();

  /**
   * Each open subscription's id and the highest first offset a truncate had answered when it was
   * opened, and that truncate's op: it may deliver nothing below.
   */
  private final LongLongHashMap openTruncated = new LongLongHashMap();

  private final LongLongHashMap openTruncateOp = new LongLongHashMap();

  private long deliveries;

  SubscriptionJudge(Judging j, DirtyReads dirty) {
    this.j = j;
    this.dirty = dirty;
  }

  /** One {@code subscribe} line, at {@code line}, of stream {@code s}. */
  void judge(Op op, Stream s, long line) throws HistoryFormatException {
    switch (op.type()) {
      case INVOKE -> {
        open.put(op.id(), op.offset());
        openTruncated.put(op.id(), s.truncated);
        openTruncateOp.put(op.id(), s.truncatedOp);
      }
      case OK -> delivered(op, line, s);
      default -> {
        open.remove(op.id());
        openTruncated.remove(op.id());
        openTruncateOp.remove(op.id());
      }
    }
  }

  /** The records delivered, by all subscriptions. */
  long deliveries() {
    return deliveries;
  }

  private void delivered(Op op, long line, Stream s) throws HistoryFormatException {
    int slot = open.indexOf(op.id());
    if (!open.indexExists(slot)) {
      throw j.badLine(
          line, "subscription " + op.id() + " delivers but was never opened (or had ended)");
    }
    deliveries++;
    String who = "subscription " + op.id();
    long next = open.indexGet(slot);
    if (op.offset() != next) {
      j.violations()
          .add(
              Kind.SUBSCRIPTION_GAP,
              s.name,
              op.offset(),
              s.name
                  + ": "
                  + who
                  + " delivered offset "
                  + op.offset()
                  + " where offset "
                  + next
                  + " was next");
    }
    open.indexReplace(slot, op.offset() + 1);
    dirty.judge(
        s, op.offset(), op.value(), who, openTruncated.get(op.id()), openTruncateOp.get(op.id()));
  }
}
