package io.raftlog.chaos;

/** What a chaos run does to the cluster every interval. */
public enum Mode {
  /** kill -9 the leader, restart it after the restart delay. */
  LEADER,
  /** kill -9 a follower, restart it after the restart delay. */
  FOLLOWER,
  /** SIGSTOP the leader for longer than the election timeout, then SIGCONT: it must step down. */
  PAUSE,
  /** kill -9 all three nodes at once, restart them after the restart delay. */
  ALL;

  /** Whether the fault takes the leader away, so a new election is expected after it. */
  boolean hitsLeader() {
    return this != FOLLOWER;
  }
}
