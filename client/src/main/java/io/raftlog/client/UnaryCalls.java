package io.raftlog.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.LogGrpc;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The retrying unary calls of a {@link RaftlogClient}: each call picks a node (the stream's shard
 * leader, or any healthy node), bounds the attempt by the attempt timeout and what is left of the
 * deadline, and retries what may pass with {@link Backoff} until {@link Attempts} gives up. One per
 * client, which owns it; stateless between calls, so thread-safe: every call runs on, and blocks,
 * the caller's thread (including its backoff sleeps).
 */
final class UnaryCalls {
  private final ClientOptions options;
  private final NodeChannels channels;
  private final ClusterView cluster;
  private final Backoff backoff;

  UnaryCalls(ClientOptions options, NodeChannels channels, Backoff backoff) {
    this.options = options;
    this.channels = channels;
    this.cluster = channels.view();
    this.backoff = backoff;
  }

  /** The nodes of the cluster as the client knows them now: how many a spread read may ask. */
  int nodeCount() {
    return cluster.nodes().size();
  }

  /**
   * One call with retries of what may pass ({@code UNAVAILABLE}, ...; not {@code NOT_FOUND}, {@code
   * ALREADY_EXISTS}, {@code FAILED_PRECONDITION}, {@code INVALID_ARGUMENT}): on the shard leader of
   * {@code stream} when known, else (or with {@code spread}, or for no stream) round robin over
   * healthy nodes.
   */
  <T> T call(
      String what, String stream, boolean spread, Function<LogGrpc.LogBlockingStub, T> attempt) {
    Attempts attempts = new Attempts(what, options.get(ClientSettings.DEADLINE), backoff);
    while (true) {
      // Looked up again on every attempt: a failure may have taught the view a new leader or map.
      int shard = stream == null ? -1 : cluster.shardOf(stream);
      String node = spread || shard < 0 ? cluster.forRead() : cluster.forShard(shard);
      attempts.started(node);
      long timeout =
          Math.min(
              options.get(ClientSettings.ATTEMPT_TIMEOUT).toNanos(), attempts.remainingNanos());
      try {
        return attempt.apply(
            channels.blocking(node, shard).withDeadlineAfter(timeout, TimeUnit.NANOSECONDS));
      } catch (StatusRuntimeException e) {
        long wait = attempts.nanosBeforeRetry(e.getStatus());
        if (wait < 0) {
          throw attempts.giveUp();
        }
        sleep(wait);
      }
    }
  }

  /**
   * Sleeps a wait before a retry on the caller's thread. An interrupt ends the operation as {@code
   * CANCELLED} (keeping the thread's interrupt flag), rather than retrying sooner.
   */
  static void sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RaftlogException(Status.Code.CANCELLED, "interrupted while waiting to retry", e);
    }
  }
}
