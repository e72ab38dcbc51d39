package io.raftlog.client;

import io.grpc.Status;

/**
 * A client operation that failed for good: the cluster said no ({@code INVALID_ARGUMENT}, {@code
 * OUT_OF_RANGE}, ...), or the operation's deadline passed while retrying (then the message says
 * what was tried and what the last error was).
 */
public class RaftlogException extends RuntimeException {
  private final Status.Code code;

  public RaftlogException(Status.Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * The gRPC status code of the failure; {@code DEADLINE_EXCEEDED} when the client gave up
   * retrying.
   */
  public Status.Code code() {
    return code;
  }
}
