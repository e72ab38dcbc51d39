package io.raftlog.replication;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Status;

/** Carries a leader's own batch through JRaft: the state machine sets the outcome, then runs it. */
final class AppendClosure implements Closure {
  private final AppendCallback callback;
  private volatile AppendOutcome outcome;

  AppendClosure(AppendCallback callback) {
    this.callback = callback;
  }

  void outcome(AppendOutcome outcome) {
    this.outcome = outcome;
  }

  @Override
  public void run(Status status) {
    if (status.isOk() && outcome != null) {
      callback.onApplied(outcome);
    } else {
      callback.onFailed(status);
    }
  }
}
