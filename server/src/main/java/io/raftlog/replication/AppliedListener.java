package io.raftlog.replication;

/**
 * Told which streams of a shard moved, so that tail followers of a stream are woken precisely.
 * Called on the shard's JRaft apply thread, after the changes are in the store and the leader's
 * callers are answered; must not block it, nor call back into the shard's Raft node.
 */
public interface AppliedListener {
  /**
   * Once per apply round for each stream it created, appended to or deleted, with the stream's next
   * offset after it (0 for a stream deleted and not created again).
   */
  void onApplied(String stream, long nextOffset);

  /**
   * The whole store was replaced (a snapshot was installed): any stream may have changed, appeared
   * or gone.
   */
  default void onReset() {}
}
