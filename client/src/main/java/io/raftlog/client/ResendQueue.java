package io.raftlog.client;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's sequence numbers of a producer and the rules for resending after that shard's stream
 * fails: which batch goes next and when, when a batch is given up, and when a sequence gap means
 * the later batches take a lower number. It decides and makes no call; the shard's {@link Lane}
 * sends what it says is due, reports the answers, and fails the batches it gives up.
 *
 * <p>The log keeps sequences per producer and shard, so each shard's {@link Lane} has its own
 * queue: a shard's failures, resends and renumbering never touch another shard's batches.
 *
 * <p>Owned by one {@link Lane} and touched only by its sender thread (tests drive it directly).
 * Times are passed in as {@link System#nanoTime} values; only a batch's deadline reads the clock
 * itself.
 */
final class ResendQueue {
  private static final Logger LOG = LoggerFactory.getLogger(ResendQueue.class);

  private final Duration deadline;
  private final Backoff backoff;
  private final ArrayDeque<ProducerBatch> retrying = new ArrayDeque<>();
  private long nextSequence;
  private boolean resendInFlight;
  private long retryAtNanos;

  /**
   * Batches given up on since the last success. Each may or may not have been appended; one that
   * was not leaves a gap in the sequences the log will answer with FAILED_PRECONDITION.
   */
  private int uncertain;

  ResendQueue(Duration deadline, Backoff backoff) {
    this.deadline = deadline;
    this.backoff = backoff;
  }

  /**
   * Gives {@code b}, about to be sent for the first time, the next sequence and its attempts, timed
   * from its creation. A batch sent before keeps both.
   */
  void assign(ProducerBatch b) {
    if (b.sequence >= 0) {
      return;
    }
    b.sequence = nextSequence++;
    b.attempts = new Attempts(b.describe(), deadline, backoff, b.createdNanos);
  }

  /** Whether batches wait to be resent; while they do, nothing new is sent. */
  boolean isEmpty() {
    return retrying.isEmpty();
  }

  /**
   * The stream failed with {@code unanswered} batches (oldest first): they are resent one at a
   * time, which also tells which of them (if any) the log rejects. After a failure that may pass
   * the first resend waits a backoff; after any other it goes at once, since the failure may be one
   * batch's and the resends say whose.
   *
   * @return the oldest batch and its error if its deadline has passed (it is given up), else null
   */
  GivenUp streamFailed(Collection<ProducerBatch> unanswered, Status status, long nowNanos) {
    retrying.addAll(unanswered);
    ProducerBatch head = retrying.peek();
    if (head == null) {
      return null;
    }
    LOG.debug(
        "stream failed ({} {}); resending {} batches",
        status.getCode(),
        status.getDescription(),
        retrying.size());
    long wait =
        RaftlogException.retryable(status.getCode()) ? head.attempts.nanosBeforeRetry(status) : 0;
    if (wait < 0) {
      return giveUp(status, nowNanos);
    }
    retryAtNanos = nowNanos + wait;
    return null;
  }

  /**
   * The batch to resend now, or null: none waits, one resend is still unanswered, or the backoff
   * has not passed. The caller reports the resend to {@link #resendStarted} once it is under way,
   * and its answer to {@link #answered}.
   */
  ProducerBatch due(long nowNanos) {
    if (retrying.isEmpty() || resendInFlight || nowNanos < retryAtNanos) {
      return null;
    }
    return retrying.peek();
  }

  /**
   * The shard has a leader other than the node that failed: the waiting resend goes now, not after
   * its backoff (which was for an election still under way, and is over).
   */
  void dueNow(long nowNanos) {
    retryAtNanos = Math.min(retryAtNanos, nowNanos);
  }

  /** The batch {@link #due} named is being resent: nothing else is until it is answered. */
  void resendStarted() {
    resendInFlight = true;
  }

  /** Nanoseconds until a resend is due (at most 0 once it is), or {@link Long#MAX_VALUE}. */
  long nanosToNextResend(long nowNanos) {
    return retrying.isEmpty() || resendInFlight ? Long.MAX_VALUE : retryAtNanos - nowNanos;
  }

  /**
   * A resend of {@code b} was answered; false when the answer is stale ({@code b} is no longer the
   * batch being resent) and must be ignored.
   */
  boolean answered(ProducerBatch b) {
    resendInFlight = false;
    return b == retrying.peek();
  }

  /** The resend of the head batch succeeded; it leaves the queue and the next one is due now. */
  ProducerBatch resendSucceeded(long nowNanos) {
    ProducerBatch b = retrying.poll();
    acknowledged();
    retryAtNanos = nowNanos;
    return b;
  }

  /**
   * The resend of {@code b}, the head batch, failed with {@code status}.
   *
   * <p>A sequence gap (FAILED_PRECONDITION on a batch with no expected offset) while batches were
   * given up means one of those was never appended: {@code b} and every batch after it take one
   * number lower, and {@code b} is resent at once. Otherwise a failure that may pass is retried
   * after a backoff while the deadline allows, and anything else gives {@code b} up.
   *
   * @return {@code b} and its error if it is given up, else null
   */
  GivenUp resendFailed(ProducerBatch b, Status status, long nowNanos) {
    // A conditional batch's FAILED_PRECONDITION may be its condition failing: renumbering it then
    // could make the log answer it as a duplicate of an earlier batch, so it is given up instead.
    if (status.getCode() == Status.Code.FAILED_PRECONDITION
        && uncertain > 0
        && b.expectedOffset == null) {
      uncertain--;
      renumberFrom(b);
      retryAtNanos = nowNanos;
      return null;
    }
    long wait = b.attempts.nanosBeforeRetry(status);
    if (wait >= 0) {
      retryAtNanos = nowNanos + wait;
      return null;
    }
    return giveUp(status, nowNanos);
  }

  /**
   * A batch of this producer was appended: the log now holds its sequences up to that batch's, so
   * no gap is left below and nothing given up is in doubt any more.
   */
  void acknowledged() {
    uncertain = 0;
  }

  /**
   * Fails the head batch for good and goes on with the next, under its own sequence: if the failed
   * batch was not appended, the log answers the next one with a sequence gap, and it takes the free
   * number then. (Renumbering at once would be wrong: a batch after a rejected one may have been
   * appended, e.g. by a node that did not know this producer yet.)
   */
  private GivenUp giveUp(Status status, long nowNanos) {
    ProducerBatch b = retrying.poll();
    RaftlogException e = b.attempts.giveUp();
    if (RaftlogException.retryable(status.getCode())) {
      e =
          new RaftlogException(
              e.code(),
              e.getMessage() + "; the batch may or may not have been appended",
              e.getCause());
    }
    uncertain++;
    retryAtNanos = nowNanos;
    return new GivenUp(b, e);
  }

  /** Every resend from {@code first} on moves down one sequence number, and so does the next. */
  private void renumberFrom(ProducerBatch first) {
    boolean on = false;
    for (ProducerBatch r : retrying) {
      on |= r == first;
      if (on) {
        r.sequence--;
      }
    }
    nextSequence--;
  }

  /** A batch failed for good, with the error its futures fail with. */
  record GivenUp(ProducerBatch batch, RaftlogException error) {}

  // ---- for tests

  long nextSequence() {
    return nextSequence;
  }

  int uncertain() {
    return uncertain;
  }
}
