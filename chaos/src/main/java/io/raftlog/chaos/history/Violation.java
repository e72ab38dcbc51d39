package io.raftlog.chaos.history;

/**
 * One thing a history shows the log did wrong: its kind, where (stream and offset, -1 if none) and
 * a sentence for a person naming the ops involved.
 */
public record Violation(Kind kind, String stream, long offset, String message) {

  /** The kinds of violation the {@link HistoryChecker} finds; the final reads are the truth. */
  public enum Kind {
    /**
     * An acknowledged append is not in the final log, though at or above its stream's final first
     * offset (below it, truncation or retention may have removed it).
     */
    LOST,
    /** An acknowledged append's value is in the final log more than once. */
    DUPLICATED,
    /** An append acknowledged at one stream and offset is in the final log somewhere else. */
    MISPLACED,
    /** An append whose outcome is unknown is in the final log more than once. */
    UNKNOWN_TWICE,
    /** An append that certainly failed ({@link AppendOutcome}) is in the final log. */
    FAILED_PRESENT,
    /**
     * A linearizable read missed an append to its stream acknowledged before the read was invoked
     * (it ended before that offset without being cut short by its max records, or said the stream
     * ends or does not exist).
     */
    STALE_READ,
    /** A read or a subscription returned a value at an offset where the final log holds another. */
    DIRTY_READ,
    /** A subscription's deliveries skipped, repeated or reordered offsets from where it started. */
    SUBSCRIPTION_GAP,
    /**
     * An append invoked after another append to its stream was acknowledged got an offset no larger
     * than that one's.
     */
    OFFSET_WENT_BACK,
    /** The final log holds a value no append sent. */
    NEVER_SENT,
    /** The final reads of a stream are not dense from its first offset, or two of them disagree. */
    FINAL_NOT_DENSE,
    /**
     * A read, a subscription or the final read returned a record below a first offset that a
     * truncate had answered before it was invoked: a truncated record came back.
     */
    TRUNCATED_RETURNED,
    /**
     * A truncate answered a first offset below the offset it asked for, or below one an earlier
     * truncate of the stream had answered: the first offset only grows.
     */
    FIRST_OFFSET_WENT_BACK,
    /**
     * A commit or a read-back of a named consumer's position answered a committed offset below one
     * acknowledged before it was invoked (no commit is forced), or said it has none.
     */
    COMMIT_WENT_BACK,
    /**
     * A named consumer's committed offset at the end is neither the highest acknowledged commit nor
     * a later one whose outcome is unknown: a commit was lost, or one that failed took effect.
     */
    COMMIT_LOST
  }

  @Override
  public String toString() {
    return kind + ": " + message;
  }
}
