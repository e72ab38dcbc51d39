package io.raftlog.replication.nodelog;

import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;

/**
 * RocksDB options of the node's Raft log: its WAL and memtables bounded for the whole node (one
 * memtable budget, not one per group), entries written past the page cache at flush.
 */
final class Tuning {
  private Tuning() {}

  /** The node's Raft-log WAL: at most about this much (two memtables of entries). */
  static final long MAX_TOTAL_WAL_BYTES = 64L << 20;

  static DBOptions dbOptions() {
    return new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        // Bounds the WAL: past it the oldest memtables are flushed so their WAL files can go. The
        // entries' two memtables fill it; the small column families, rarely flushed otherwise,
        // would keep older WAL files alive (LogCompactor also flushes them after a truncation).
        .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
        .setKeepLogFileNum(5)
        .setMaxBackgroundJobs(2)
        // Flushed entries are read back only for a lagging follower: write them past the page
        // cache, which otherwise costs a kernel copy of every byte.
        .setUseDirectIoForFlushAndCompaction(true);
  }

  /**
   * The entries: large values go to blob files at flush, so compaction then moves only keys, and
   * blob files whose entries were truncated are collected.
   */
  static ColumnFamilyOptions entryColumn() {
    return new ColumnFamilyOptions()
        .setWriteBufferSize(32L << 20)
        .setMaxWriteBufferNumber(2)
        .setEnableBlobFiles(true)
        .setMinBlobSize(4096)
        .setBlobFileSize(64L << 20)
        .setEnableBlobGarbageCollection(true);
  }

  /** The conf entries and the group table: a few small keys. */
  static ColumnFamilyOptions smallColumn() {
    return new ColumnFamilyOptions().setWriteBufferSize(1L << 20).setMaxWriteBufferNumber(2);
  }
}
