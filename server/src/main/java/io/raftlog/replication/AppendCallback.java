package io.raftlog.replication;

/** Completion of {@link ReplicatedLog#append}: exactly one method is called, once. */
public interface AppendCallback {

  /** The batch was committed by a majority and applied. */
  void onApplied(AppendOutcome outcome);

  /**
   * The batch did not commit under this leader (lost leadership, overload, shutdown). It may still
   * be committed by the next leader, so a retry must keep the producer id and sequence.
   */
  void onFailed(com.alipay.sofa.jraft.Status status);
}
