package io.raftlog.replication;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.util.BytesUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One read barrier of a group member: a Raft ReadIndex round, completed once the member has applied
 * everything committed before it. While the group is between leaders (the member knows none, or its
 * leader is handing the lead over) the round is tried again every {@link #READ_RETRY_MS} until a
 * deadline, the time a new leader takes to be known: a read that meets a leadership transfer or an
 * election then waits for it rather than failing (the quick start's first read met the balancer's
 * first transfer). Completed on JRaft's threads.
 */
final class ReadBarrier {
  /** Milliseconds between ReadIndex rounds while the group is between leaders. */
  static final long READ_RETRY_MS = 50;

  private ReadBarrier() {}

  /**
   * Starts a barrier on the member's current JRaft node ({@code node} is asked at each round: a
   * restart replaces it), retrying for up to {@code waitMs} between leaders; fails with a {@link
   * ReplicationException} of kind {@code READ_BARRIER_FAILED}.
   */
  static CompletableFuture<Void> start(Supplier<Node> node, long waitMs) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    readIndex(node, result, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs));
    return result;
  }

  private static void readIndex(
      Supplier<Node> node, CompletableFuture<Void> result, long giveUpAt) {
    node.get()
        .readIndex(
            BytesUtil.EMPTY_BYTES,
            new ReadIndexClosure() {
              @Override
              public void run(Status status, long index, byte[] reqCtx) {
                if (status.isOk()) {
                  result.complete(null);
                } else if (betweenLeaders(status) && System.nanoTime() - giveUpAt < 0) {
                  CompletableFuture.delayedExecutor(READ_RETRY_MS, TimeUnit.MILLISECONDS)
                      .execute(() -> readIndex(node, result, giveUpAt));
                } else {
                  result.completeExceptionally(ReplicationException.ofReadBarrier(status));
                }
              }
            });
  }

  /**
   * JRaft's answers while no leader can be confirmed yet: EPERM (a follower that knows no leader, a
   * candidate), EBUSY (a leader handing the lead over), EAGAIN (a new leader that has not yet
   * committed an entry of its term, NodeImpl#readLeader; CI met it right after a transfer) and
   * UNKNOWN (the leader answered the follower's ReadIndex with failure, "maybe the leader stepped
   * down", ReadOnlyServiceImpl).
   */
  private static boolean betweenLeaders(Status status) {
    RaftError e = status.getRaftError();
    return e == RaftError.EPERM
        || e == RaftError.EBUSY
        || e == RaftError.EAGAIN
        || e == RaftError.UNKNOWN;
  }
}
