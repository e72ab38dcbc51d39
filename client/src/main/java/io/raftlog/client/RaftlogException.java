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
   * Whether a failure with {@code code} may pass if tried again later: the node is gone or not the
   * leader, the cluster is electing or overloaded, or one attempt ran out of time. The client
   * retries exactly these.
   */
  public static boolean retryable(Status.Code code) {
    switch (code) {
      case UNAVAILABLE:
      case RESOURCE_EXHAUSTED:
      case DEADLINE_EXCEEDED:
      case ABORTED:
        return true;
      default:
        return false;
    }
  }

  /**
   * The gRPC status code of the failure; {@code DEADLINE_EXCEEDED} when the client gave up
   * retrying.
   */
  public Status.Code code() {
    return code;
  }
}
