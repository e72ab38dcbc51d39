package io.raftlog.replication;

import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.storage.NamedStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard leaders' retention: every {@code retention.check-interval-ms}, on one thread for the
 * whole node, each shard this node leads walks its streams' metadata, asks {@link RetentionPoint}
 * which are due, and proposes one {@code TruncateStreams} entry ({@code by_retention}) for them, at
 * most {@link #STREAMS_PER_ENTRY} streams an entry. Replicas only apply what is replicated: the
 * decision (and the clock it reads) is the leader's, so every replica drops the same records.
 *
 * <p>Shards this node follows are skipped; a proposal that meets a lost leadership fails in JRaft
 * and is simply not logged, and the new leader decides again at its next check (truncating at or
 * below a first offset changes nothing, so a decision applied twice is harmless). A shard whose
 * last proposal has not completed is skipped, so a slow commit never stacks truncations up.
 *
 * <p>Cost when nothing is due: one iterator step and one meta decode per stream of each led shard
 * (no record is read); a stream with limits adds a seek per limit set. Owned by {@link Replicas}.
 */
final class RetentionCheck implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionCheck.class);

  /** At most this many streams are truncated by one Raft entry (a few KiB). */
  static final int STREAMS_PER_ENTRY = 256;

  /** Stream metas read per page. */
  private static final int PAGE = 1024;

  private final Collection<ReplicatedLog> shards;
  private final long holdMaxBytes;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "raftlog-retention");
            t.setDaemon(true);
            return t;
          });
  // The last proposal of each shard, until it completes; touched by the timer and JRaft threads.
  private final Map<Integer, CompletableFuture<?>> pending = new ConcurrentHashMap<>();

  RetentionCheck(NodeConfig config, Collection<ReplicatedLog> shards) {
    this.shards = shards; // live: replicas come and go as moves start and end
    this.holdMaxBytes = config.get(ConfigKeys.RETENTION_HOLD_MAX_BYTES);
    long every = config.get(ConfigKeys.RETENTION_CHECK_INTERVAL_MS);
    timer.scheduleWithFixedDelay(this::checkAll, every, every, TimeUnit.MILLISECONDS);
  }

  private void checkAll() {
    for (ReplicatedLog shard : shards) {
      try {
        check(shard, System.currentTimeMillis());
      } catch (RuntimeException e) {
        // A store closed by a shutdown, a snapshot being installed: the next round tries again.
        LOG.warn("shard {}: retention check failed", shard.shard(), e);
      }
    }
  }

  /**
   * Checks one shard as of {@code nowMs} and proposes its due truncations, if this node leads it;
   * returns what it proposed (empty: nothing). For the timer, and tests.
   */
  List<RetentionPoint.Due> check(ReplicatedLog shard, long nowMs) {
    if (!shard.isLeader() || pending.containsKey(shard.shard())) {
      return List.of();
    }
    RetentionPoint rule = new RetentionPoint(shard.store(), holdMaxBytes);
    List<RetentionPoint.Due> due = new ArrayList<>();
    String after = "";
    List<NamedStream> page;
    do {
      page = shard.store().streams("", after, PAGE);
      for (NamedStream s : page) {
        RetentionPoint.Due d = rule.due(s.name(), s.meta(), nowMs);
        if (d != null) {
          due.add(d);
        }
      }
      after = page.isEmpty() ? after : page.get(page.size() - 1).name();
    } while (page.size() == PAGE);
    CompletableFuture<?> last = CompletableFuture.completedFuture(null);
    for (int i = 0; i < due.size(); i += STREAMS_PER_ENTRY) {
      List<RetentionPoint.Due> part = due.subList(i, Math.min(due.size(), i + STREAMS_PER_ENTRY));
      last = propose(shard, List.copyOf(part));
    }
    if (!due.isEmpty()) {
      CompletableFuture<?> marker = last;
      pending.put(shard.shard(), marker);
      marker.whenComplete((r, e) -> pending.remove(shard.shard(), marker));
    }
    return due;
  }

  private static CompletableFuture<AppendOutcome> propose(
      ReplicatedLog shard, List<RetentionPoint.Due> part) {
    return shard
        .truncateByRetention(part)
        .whenComplete(
            (outcome, failure) -> {
              if (failure != null) {
                LOG.debug("shard {}: retention truncation not committed", shard.shard(), failure);
                return;
              }
              for (RetentionPoint.Due d : part) {
                LOG.info(
                    "shard {}: retention truncated stream '{}' from offset {} to {} ({})",
                    shard.shard(),
                    d.stream(),
                    d.from(),
                    d.to(),
                    d.why());
              }
            });
  }

  @Override
  public void close() throws InterruptedException {
    timer.shutdownNow();
    timer.awaitTermination(5, TimeUnit.SECONDS);
  }
}
