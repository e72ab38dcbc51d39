package io.raftlog.replication;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * What happened to one group member since it started: leaders seen, snapshots taken and installed.
 * Plain counters, written by the group's state machine on JRaft's apply thread (a counter add per
 * event, none on the data path) and read by the metrics on theirs. Owned by the state machine.
 */
public final class GroupEvents {
  private final AtomicLong leaderChanges = new AtomicLong();
  private final AtomicLong snapshots = new AtomicLong();
  private final AtomicLong installs = new AtomicLong();
  private volatile long lastSnapshotBytes;
  private volatile long lastSnapshotMs;
  private volatile LongConsumer snapshotNanos = nanos -> {};

  void leaderChanged() {
    leaderChanges.incrementAndGet();
  }

  void snapshotTaken(long nanos, long bytes) {
    snapshots.incrementAndGet();
    lastSnapshot(bytes);
    snapshotNanos.accept(nanos);
  }

  void snapshotInstalled(long bytes) {
    installs.incrementAndGet();
    lastSnapshot(bytes);
  }

  private void lastSnapshot(long bytes) {
    lastSnapshotBytes = bytes;
    lastSnapshotMs = System.currentTimeMillis();
  }

  /** Times this member saw a new leader of its group (itself included): elected or handed over. */
  public long leaderChanges() {
    return leaderChanges.get();
  }

  /** Snapshots this member took. */
  public long snapshots() {
    return snapshots.get();
  }

  /** Snapshots from the leader that replaced this member's state. */
  public long installs() {
    return installs.get();
  }

  /** Bytes of the last snapshot taken or installed; 0 before any. */
  public long lastSnapshotBytes() {
    return lastSnapshotBytes;
  }

  /** When the last snapshot was taken or installed (ms since the epoch); 0 before any. */
  public long lastSnapshotMs() {
    return lastSnapshotMs;
  }

  /** Told, on the apply thread, how long each snapshot taken took (nanoseconds). */
  public void onSnapshotTaken(LongConsumer nanos) {
    this.snapshotNanos = nanos;
  }

  /** Bytes of the files under {@code dir} (a snapshot's), 0 when it cannot be read. */
  static long sizeOf(java.nio.file.Path dir) {
    try (var files = java.nio.file.Files.walk(dir)) {
      return files.filter(java.nio.file.Files::isRegularFile).mapToLong(GroupEvents::size).sum();
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }

  private static long size(java.nio.file.Path f) {
    try {
      return java.nio.file.Files.size(f);
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
