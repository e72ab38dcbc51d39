package io.raftlog.client;

import io.grpc.Status;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The retry bookkeeping of one operation: its deadline, which nodes were tried, the last error, and
 * whether a failure is worth another attempt. When it gives up, its exception says all of that.
 */
final class Attempts {
  /** Less time than this left is not worth another attempt. */
  private static final long MIN_ATTEMPT_NANOS = 20_000_000;

  private final String what;
  private final long startNanos;
  private final long deadlineNanos;
  private final Duration deadline;
  private final Backoff backoff;
  private final Set<String> nodes = new LinkedHashSet<>();
  private int count;
  private Status lastError;
  private String lastNode;

  Attempts(String what, Duration deadline, Backoff backoff) {
    this(what, deadline, backoff, System.nanoTime());
  }

  /** Attempts of an operation that started at {@code startNanos} (a batch: when it was created). */
  Attempts(String what, Duration deadline, Backoff backoff, long startNanos) {
    this.what = what;
    this.startNanos = startNanos;
    this.deadline = deadline;
    this.deadlineNanos = startNanos + deadline.toNanos();
    this.backoff = backoff;
  }

  void started(String node) {
    count++;
    nodes.add(node);
    lastNode = node;
  }

  void failed(Status status) {
    // An attempt cut short by the operation's own deadline says less than the error before it.
    if (lastError == null
        || status.getCode() != Status.Code.DEADLINE_EXCEEDED
        || remainingNanos() > 0) {
      lastError = status;
    }
  }

  int count() {
    return count;
  }

  long remainingNanos() {
    return deadlineNanos - System.nanoTime();
  }

  /**
   * The wait before the next attempt (cut to what is left of the deadline, so the last attempt runs
   * as the deadline nears), or -1 when {@code status} is not retryable or no time is left.
   */
  long nanosBeforeRetry(Status status) {
    failed(status);
    if (!RaftlogException.retryable(status.getCode()) || TlsFailure.explain(status) != null) {
      return -1;
    }
    long left = remainingNanos() - MIN_ATTEMPT_NANOS;
    return left <= 0 ? -1 : Math.min(backoff.nanosBefore(count), left);
  }

  /** The exception for the caller once no attempt is left: why, and the history. */
  RaftlogException giveUp() {
    if (lastError != null
        && (!RaftlogException.retryable(lastError.getCode())
            || TlsFailure.explain(lastError) != null)) {
      return new RaftlogException(
          lastError.getCode(), what + " failed: " + describe(lastError), lastError.asException());
    }
    long ms = (System.nanoTime() - startNanos) / 1_000_000;
    return new RaftlogException(
        Status.Code.DEADLINE_EXCEEDED,
        String.format(
            "%s gave up after %d attempt%s in %.1f s (deadline %s) on %s; last error: %s",
            what,
            count,
            count == 1 ? "" : "s",
            ms / 1000.0,
            ClientSetting.human(deadline),
            nodes.isEmpty() ? "no node" : String.join(", ", nodes),
            lastError == null ? "none" : describe(lastError)),
        lastError == null ? null : lastError.asException());
  }

  private String describe(Status s) {
    String tls = TlsFailure.explain(s);
    if (tls != null) {
      // the node named once: the history's "(from node)" would repeat it
      return "cannot reach " + lastNode + " with TLS: " + tls;
    }
    return s.getCode()
        + (s.getDescription() == null ? "" : ": " + s.getDescription())
        + (lastNode == null ? "" : " (from " + lastNode + ")");
  }
}
