package io.raftlog.storage;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;

/**
 * What every shard store of one node shares, so that the node's RocksDB memory is bounded however
 * many shards it holds: one block cache and one write-buffer manager, which charges every store's
 * memtables to that cache and flushes the largest when their sum passes its limit; and one thread
 * that compacts away what truncations and deletes dropped ({@link Reclaimer}), for every store.
 *
 * <p>Made once by the node (the server owns it) before any store opens, and closed after the last
 * store closes: a store only borrows these.
 */
public final class StoreResources implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  /** Block cache for a node when nothing else is configured. */
  public static final long DEFAULT_BLOCK_CACHE_BYTES = 64L << 20;

  /** Memtables of all the node's stores together, when nothing else is configured. */
  public static final long DEFAULT_WRITE_BUFFER_BYTES = 64L << 20;

  private final LRUCache blockCache;
  private final WriteBufferManager writeBuffers;
  private final ScheduledExecutorService reclaimThread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "raftlog-reclaim");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param blockCacheBytes the cache's capacity; memtables are charged to it as well, so it should
   *     exceed {@code writeBufferBytes}
   * @param writeBufferBytes the memtables of all stores together
   */
  public StoreResources(long blockCacheBytes, long writeBufferBytes) {
    this.blockCache = new LRUCache(blockCacheBytes);
    // No stall: when memtables pass the limit the manager flushes them; stalling writes would
    // stall the apply thread of every shard at once.
    this.writeBuffers = new WriteBufferManager(writeBufferBytes, blockCache, false);
  }

  /** Sizes that suit one node with a handful of shards (and tests). */
  public static StoreResources defaults() {
    return new StoreResources(
        DEFAULT_BLOCK_CACHE_BYTES + DEFAULT_WRITE_BUFFER_BYTES, DEFAULT_WRITE_BUFFER_BYTES);
  }

  LRUCache blockCache() {
    return blockCache;
  }

  WriteBufferManager writeBuffers() {
    return writeBuffers;
  }

  /** The node's one thread that compacts dropped ranges; see {@link Reclaimer}. */
  ScheduledExecutorService reclaimThread() {
    return reclaimThread;
  }

  @Override
  public void close() {
    reclaimThread.shutdownNow();
    try {
      // A compaction under way finishes before the stores' RocksDBs (closed before this) go.
      reclaimThread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writeBuffers.close();
    blockCache.close();
  }
}
