package io.raftlog.otlp;

/**
 * A record whose {@code content-type} names a log form ({@link LogValues}) but whose value is not
 * in that form. Its message is one line a person can act on, naming the form and what is wrong.
 */
public final class UnreadableLogException extends Exception {
  private static final long serialVersionUID = 1L;

  UnreadableLogException(String message) {
    super(message, null, false, false); // the message says it all: no stack trace to fill
  }
}
