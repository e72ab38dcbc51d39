package io.raftlog.replication;

/** A point-in-time view of this node's Raft member. */
public record RaftState(Role role, long term, long commitIndex, long appliedIndex) {
  public enum Role {
    LEADER,
    FOLLOWER,
    CANDIDATE,
    OTHER
  }
}
