package io.raftlog.replication;

/**
 * Where tail followers learn that streams of a shard grew: listeners are told on that shard's JRaft
 * apply thread, per changed stream after each applied batch of entries, and with {@link
 * AppliedListener#onReset} after a snapshot is installed, and must not block it.
 */
public interface AppliedEvents {
  void addAppliedListener(AppliedListener l);

  void removeAppliedListener(AppliedListener l);
}
