package io.raftlog.replication;

/** Told when this node learns or loses a leader (its own leadership included). */
@FunctionalInterface
public interface RoleListener {
  void onLeaderKnown(boolean known);
}
