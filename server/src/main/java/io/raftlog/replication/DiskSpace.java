package io.raftlog.replication;

import java.nio.file.Path;

/**
 * The disk under a node's data directory as its {@link DiskGuard} last read it (every {@link
 * DiskGuard#CHECK_INTERVAL_MS}): for the metrics, which read it when scraped.
 */
public interface DiskSpace {
  /** The data directory ({@code data.dir}). */
  Path dir();

  /** Usable bytes of the file system holding it, as last read. */
  long usableBytes();

  /** {@code storage.min-free-bytes}: below it the node takes no writes. */
  long minFreeBytes();

  /** Whether the node refuses writes for want of space. */
  boolean full();
}
