package io.raftlog.replication;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;
import java.util.concurrent.CompletableFuture;

/**
 * Carries a leader's own batch through JRaft: the state machine sets the outcome, then runs it, and
 * it completes the append's future. JRaft runs it on the apply thread (applied, or failed while
 * applying) or on its closure executor (refused or dropped before that).
 */
final class AppendClosure implements Closure {
  private final CompletableFuture<AppendOutcome> result;
  private volatile AppendOutcome outcome;

  AppendClosure(CompletableFuture<AppendOutcome> result) {
    this.result = result;
  }

  void outcome(AppendOutcome outcome) {
    this.outcome = outcome;
  }

  @Override
  public void run(Status status) {
    if (status.isOk() && outcome != null) {
      result.complete(outcome);
    } else {
      result.completeExceptionally(ReplicationException.ofAppend(status));
    }
  }
}
