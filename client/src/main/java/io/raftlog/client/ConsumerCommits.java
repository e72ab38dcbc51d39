package io.raftlog.client;

import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commits of one named consumer's {@link Subscription}: what it committed last and when, and
 * whether the cluster refused a commit (then it commits no more). Owned by its subscription and run
 * on the thread that polls it.
 *
 * <p>At least once: a poll commits only what earlier polls handed out (the caller came back for
 * more, so it is done with them), and close commits what was handed out before it. A refused commit
 * ({@code FAILED_PRECONDITION}: another instance of the consumer, or a forced commit, moved it past
 * this subscription) is thrown once and then on every later poll or commit, never retried: two
 * instances committing over each other would each keep undoing the other.
 */
final class ConsumerCommits {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerCommits.class);

  private final ConsumerOffsets offsets; // the client's, called on the polling thread
  private final String stream;
  private final String consumer;
  private final long intervalNanos;
  private long committed; // -1: the consumer had no committed offset when the subscription began
  private long lastCommitNanos;
  private RaftlogException refused;

  ConsumerCommits(ConsumerOffsets offsets, String stream, SubscribeOptions how, long committed) {
    this.offsets = offsets;
    this.stream = stream;
    this.consumer = how.consumer();
    this.intervalNanos = how.commitInterval().toNanos();
    this.committed = committed;
    this.lastCommitNanos = System.nanoTime();
  }

  String consumer() {
    return consumer;
  }

  /** The offset this subscription committed last (or found committed), -1 if none. */
  long committed() {
    return committed;
  }

  /** Throws the refusal, if a commit was refused. */
  void check() {
    if (refused != null) {
      throw refused;
    }
  }

  /**
   * At a poll: commits {@code position} (what earlier polls handed out) if the interval has passed
   * since the last commit. A commit that fails for a passing reason (no leader within the deadline)
   * is logged and tried again at the next interval: the records will be delivered again at worst.
   */
  void atPoll(long position) {
    check();
    if (position == committed || System.nanoTime() - lastCommitNanos < intervalNanos) {
      return;
    }
    try {
      commit(position);
    } catch (RaftlogException e) {
      if (refused != null) {
        throw e;
      }
      lastCommitNanos = System.nanoTime();
      LOG.warn(
          "consumer {} of stream {}: commit of offset {} failed, retrying at the next interval:"
              + " {}",
          consumer,
          stream,
          position,
          e.getMessage());
    }
  }

  /** Commits {@code position} now, unless it is already the committed offset. */
  void commit(long position) {
    check();
    if (position == committed) {
      return;
    }
    try {
      committed = offsets.commit(stream, consumer, position, false).getCommittedOffset();
      lastCommitNanos = System.nanoTime();
    } catch (RaftlogException e) {
      if (RaftlogException.retryable(e.code()) || e.code() == Status.Code.CANCELLED) {
        throw e;
      }
      refused =
          new RaftlogException(
              e.code(),
              "consumer "
                  + consumer
                  + " of stream "
                  + stream
                  + ": the commit of offset "
                  + position
                  + " was refused, so this subscription commits no more (did another instance of"
                  + " the consumer, or a forced commit, move it?): "
                  + e.getMessage(),
              e);
      throw refused;
    }
  }
}
