package io.raftlog.storage;

/** The log store failed (disk, corruption); the node cannot go on applying. */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
