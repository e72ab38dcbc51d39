package io.raftlog.chaos.history;

/** A history file that cannot be judged: not JSON lines, or a line that is not an {@link Op}. */
public final class HistoryFormatException extends Exception {
  public HistoryFormatException(String message) {
    super(message);
  }

  public HistoryFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
