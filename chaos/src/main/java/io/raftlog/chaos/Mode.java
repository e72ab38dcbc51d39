package io.raftlog.chaos;

/**
 * What a chaos run does to the cluster every interval. Each fault first picks a shard, round robin;
 * "the leader" is that shard's leader. Since every node leads some shards, every mode takes the
 * leaders of some shards away: the streams of those shards are the fault's affected streams.
 */
public enum Mode {
  /** kill -9 the node that leads the picked shard, restart it after the downtime. */
  LEADER,
  /** kill -9 a node that follows the picked shard (it leads others), restart it likewise. */
  FOLLOWER,
  /**
   * SIGSTOP the node that leads the picked shard for longer than the election timeout, then
   * SIGCONT: each shard it led must have elected a leader in a newer term.
   */
  PAUSE,
  /** kill -9 all three nodes at once, restart them after the downtime. */
  ALL,
  /** kill -9 a random whole node (leading some shards, following others), restart it likewise. */
  NODE
}
