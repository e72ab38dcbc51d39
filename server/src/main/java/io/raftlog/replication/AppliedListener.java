package io.raftlog.replication;

/** Told, on the apply thread, each time the log's next offset moves; must not block. */
@FunctionalInterface
public interface AppliedListener {
  void onApplied(long nextOffset);
}
