package io.raftlog.replication;

/**
 * Where tail followers learn that the log grew: listeners are told on JRaft's apply thread, after
 * each applied batch of entries and after a snapshot is installed, and must not block it.
 */
public interface AppliedEvents {
  void addAppliedListener(AppliedListener l);

  void removeAppliedListener(AppliedListener l);
}
