package io.raftlog.storage;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives one shard store's disk space back after truncations and deletes. A truncation or a delete
 * is a range tombstone: RocksDB keeps the records it covers (their keys in SST files, their values
 * in blob files) until a compaction passes over that range, and level compaction may not reach it
 * for a long time on a shard that is written little. So the range of each stream named by {@link
 * #request} is compacted, {@link #DEBOUNCE_MS} after the first request (requests meanwhile join
 * it): the covered keys go, and a blob file all of whose values were dropped is deleted with the
 * compaction's result (RocksDB counts each blob file's garbage; {@link RocksHandle} sets the blob
 * garbage collection that also rewrites the few live values of old, mostly dropped files).
 *
 * <p>Owned by the store's {@link RocksHandle}; runs on the node's one reclaim thread ({@link
 * StoreResources#reclaimThread}), never on the apply thread: {@link #request} only records names.
 */
final class Reclaimer {
  private static final Logger LOG = LoggerFactory.getLogger(Reclaimer.class);

  /** Requests within this long of the first are served by one compaction. */
  static final long DEBOUNCE_MS = 2_000;

  private final RocksHandle handle;
  private final ScheduledExecutorService thread;
  private final Set<String> pending = new LinkedHashSet<>();
  private final List<Runnable> after = new ArrayList<>();
  private boolean scheduled;

  Reclaimer(RocksHandle handle, ScheduledExecutorService thread) {
    this.handle = handle;
    this.thread = thread;
  }

  /** Asks for the streams' dropped ranges to be compacted soon; returns at once. */
  void request(Iterable<String> streams) {
    synchronized (pending) {
      streams.forEach(pending::add);
      if (scheduled || pending.isEmpty()) {
        return;
      }
      scheduled = true;
    }
    try {
      thread.schedule(this::run, DEBOUNCE_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException shutDown) {
      synchronized (pending) {
        scheduled = false;
      }
    }
  }

  /**
   * Runs {@code task} on the reclaim thread after the compaction scheduled now, or soon if none is
   * (the thread runs one task at a time, so anything requested meanwhile is done first or joins).
   */
  void then(Runnable task) {
    synchronized (pending) {
      if (scheduled) {
        after.add(task);
        return;
      }
    }
    try {
      thread.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException shutDown) {
      // The node is stopping: nothing to do after.
    }
  }

  private void run() {
    List<String> streams;
    List<Runnable> then;
    synchronized (pending) {
      streams = List.copyOf(pending);
      pending.clear();
      then = List.copyOf(after);
      after.clear();
      scheduled = false;
    }
    long start = System.nanoTime();
    for (String s : streams) {
      try {
        // The records (their chunks in blob files), then the chunk index's small keys.
        byte[] records = KeyLayout.recordPrefix(s);
        handle.compact(records, KeyLayout.successor(records));
        byte[] index = KeyLayout.indexPrefix(s);
        handle.compact(index, KeyLayout.successor(index));
      } catch (RocksDBException | RuntimeException e) {
        // A closed or swapped store (shutdown, snapshot install): what it held is gone anyway.
        LOG.debug("cannot compact the dropped records of stream '{}'", s, e);
      }
    }
    LOG.debug(
        "compacted the dropped ranges of {} streams in {} ms",
        streams.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    for (Runnable r : then) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("a task after reclaiming failed", e);
      }
    }
  }
}
