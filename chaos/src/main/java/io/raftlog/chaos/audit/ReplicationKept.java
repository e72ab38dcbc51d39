package io.raftlog.chaos.audit;

import java.util.function.Consumer;

/**
 * No shard had fewer voters than its replication factor while members changed, but after a node was
 * removed as dead and until its shards were repaired: a move adds the new replica before the old
 * one leaves. The membership calls check every GetCluster answer as it comes; this counts what they
 * saw.
 */
public final class ReplicationKept implements Check {
  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    run.underReplicated().forEach(problems);
    return run.underReplicated().size();
  }
}
