package io.raftlog.chaos.history;

/**
 * One thing a history shows the log did wrong: its kind, where (stream and offset, -1 if none) and
 * a sentence for a person naming the ops involved.
 */
public record Violation(Kind kind, String stream, long offset, String message) {

  /** The kinds of violation the {@link HistoryChecker} finds; the final reads are the truth. */
  public enum Kind {
    /** An acknowledged append is not in the final log. */
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
    /** The final reads of a stream are not dense from offset 0, or two of them disagree. */
    FINAL_NOT_DENSE
  }

  @Override
  public String toString() {
    return kind + ": " + message;
  }
}
