package io.raftlog.replication.nodelog;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives back the space of the node's Raft log after JRaft truncates a group's prefix (after each
 * snapshot). A prefix truncation is a range tombstone: the entries it covers stay in SST and blob
 * files until a compaction passes over them, which level compaction may not do for long. So, {@link
 * #DEBOUNCE_MS} after a truncation (later ones join it), the node's log flushes its memtables (a
 * small column family that is never flushed otherwise keeps every WAL file alive up to {@code
 * max_total_wal_size}) and compacts each truncated group's range: the covered keys go, and blob
 * files whose every entry was dropped are deleted with the compaction's result.
 *
 * <p>Owned by {@link NodeLogDb}; runs on its own thread, never on JRaft's log thread, which only
 * records the range ({@link #request}).
 */
final class LogCompactor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogCompactor.class);

  /** Truncations within this long of the first are served by one flush and compaction. */
  static final long DEBOUNCE_MS = 5_000;

  /** What it compacts: a group's keys from its start to a first kept index. */
  interface Target {
    void flushAndCompact(Map<Integer, Long> firstKeptByGroup) throws Exception;
  }

  private final Target target;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "raftlog-log-compactor");
            t.setDaemon(true);
            return t;
          });
  private final Map<Integer, Long> pending = new HashMap<>();

  LogCompactor(Target target) {
    this.target = target;
  }

  /** Asks for {@code group}'s entries before {@code firstKept} to be compacted away soon. */
  void request(int group, long firstKept) {
    synchronized (pending) {
      boolean idle = pending.isEmpty();
      pending.merge(group, firstKept, Math::max);
      if (!idle) {
        return;
      }
    }
    try {
      thread.schedule(this::run, DEBOUNCE_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      // The log is closing.
    }
  }

  private void run() {
    Map<Integer, Long> ranges;
    synchronized (pending) {
      ranges = new HashMap<>(pending);
      pending.clear();
    }
    long start = System.nanoTime();
    try {
      target.flushAndCompact(ranges);
      LOG.debug(
          "compacted the truncated Raft log of {} groups in {} ms",
          ranges.size(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    } catch (Exception e) {
      // A closed or failed log: the next truncation asks again.
      LOG.warn("cannot compact the truncated Raft log", e);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
