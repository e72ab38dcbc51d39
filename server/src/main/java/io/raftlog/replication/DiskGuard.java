package io.raftlog.replication;

import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one node sane on a filling disk. Every {@link #CHECK_INTERVAL_MS}, on its own thread, it
 * reads the usable space of the file system that holds {@code data.dir}:
 *
 * <ul>
 *   <li>below {@code storage.min-free-bytes} the node is <em>full</em>: {@link #fullReason()} says
 *       so (the service then refuses writes and the node reports NOT_SERVING), and every group it
 *       leads (the meta group, its shards) is handed to a live replica that serves, so the cluster
 *       goes on writing without it;
 *   <li>with space again, a group member JRaft stopped on an error (a write that met the full disk
 *       anyway, e.g. a follower appending what its leader replicated) is restarted on its data,
 *       with a growing pause between attempts, and catches up from its leader.
 * </ul>
 *
 * Owned by {@link Replicas}, which makes it before the groups start (so the first reading is there
 * for their first health report) and hands it the groups with {@link #watch}.
 */
final class DiskGuard implements DiskSpace, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DiskGuard.class);

  /** How often free space is read. */
  static final long CHECK_INTERVAL_MS = 500;

  private static final long FIRST_RETRY_MS = 1_000;
  private static final long MAX_RETRY_MS = 30_000;
  private static final long SETTLED_MS = 60_000;

  /** A group member to guard, and what its state machine must do before the member restarts. */
  record Guarded(GroupMember member, Runnable beforeRestart) {}

  private final String nodeId;
  private final Path dataDir;
  private final long minFreeBytes;
  private final FileStore fileStore;
  private final Runnable onChange;
  private final LeadershipTargets targets;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "raftlog-disk-guard");
            t.setDaemon(true);
            return t;
          });
  // Touched only on the timer thread.
  private final Map<String, Long> retryAtMs = new HashMap<>();
  private final Map<String, Long> retryDelayMs = new HashMap<>();
  private volatile java.util.function.Supplier<List<Guarded>> groups = List::of;
  private volatile long usableBytes;
  private volatile boolean full;

  /**
   * Reads the space once, now. {@code onChange} is told, on the guard's thread, whenever the node
   * turns full or not full; while full, each group it leads goes to the replica {@code targets}
   * chooses.
   */
  DiskGuard(NodeConfig config, Runnable onChange, LeadershipTargets targets) {
    this.nodeId = config.get(ConfigKeys.NODE_ID);
    this.targets = targets;
    this.dataDir = config.get(ConfigKeys.DATA_DIR);
    this.minFreeBytes = config.get(ConfigKeys.STORAGE_MIN_FREE_BYTES);
    this.onChange = onChange;
    try {
      Files.createDirectories(dataDir);
      this.fileStore = Files.getFileStore(dataDir);
      this.usableBytes = fileStore.getUsableSpace();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the free space of " + dataDir, e);
    }
    this.full = usableBytes < minFreeBytes;
    if (full) {
      LOG.warn("{}", fullReason());
    }
  }

  /** Starts watching: hands leadership of these groups away while full, restarts them after. */
  void watch(java.util.function.Supplier<List<Guarded>> groups) {
    this.groups = groups;
    timer.scheduleWithFixedDelay(
        this::checkSafely, CHECK_INTERVAL_MS, CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean full() {
    return full;
  }

  @Override
  public Path dir() {
    return dataDir;
  }

  @Override
  public long usableBytes() {
    return usableBytes;
  }

  @Override
  public long minFreeBytes() {
    return minFreeBytes;
  }

  /**
   * Why this node takes no writes, for a person ("node 2 has 1048576 bytes usable in ..."), or null
   * while it has space.
   */
  String fullReason() {
    if (!full) {
      return null;
    }
    return "node "
        + nodeId
        + " is out of disk space: "
        + usableBytes
        + " bytes usable in "
        + dataDir
        + ", below "
        + ConfigKeys.STORAGE_MIN_FREE_BYTES.name()
        + "="
        + minFreeBytes;
  }

  private void checkSafely() {
    try {
      check();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      LOG.warn("disk check of {} failed", dataDir, e);
    }
  }

  private void check() throws IOException, InterruptedException {
    usableBytes = fileStore.getUsableSpace();
    boolean nowFull = usableBytes < minFreeBytes;
    if (nowFull != full) {
      full = nowFull;
      if (nowFull) {
        LOG.warn("{}: writes refused, leaderships handed away until space is freed", fullReason());
      } else {
        LOG.info("node {} has {} bytes usable in {} again: serving", nodeId, usableBytes, dataDir);
      }
      onChange.run();
    }
    Map<String, Integer> led =
        nowFull
            ? LeadershipTargets.leaderCounts(groups.get().stream().map(Guarded::member).toList())
            : null;
    for (Guarded g : groups.get()) {
      if (nowFull) {
        handOff(g.member(), led);
      } else if (g.member().inError()) {
        restartWhenDue(g);
      } else {
        forgetRetriesOnceSettled(g.member().groupId());
      }
    }
  }

  /** A member that has run for a minute since its last restart starts its next pause at 1 s. */
  private void forgetRetriesOnceSettled(String group) {
    Long at = retryAtMs.get(group);
    if (at != null && System.currentTimeMillis() - at > SETTLED_MS) {
      retryAtMs.remove(group);
      retryDelayMs.remove(group);
    }
  }

  /** While full, a group this node leads goes to the replica {@link LeadershipTargets} chooses. */
  private void handOff(GroupMember m, Map<String, Integer> led) {
    if (!m.isLeader()) {
      return;
    }
    Peer to = targets.choose(m, led);
    if (to == null) {
      LOG.warn("{}: disk full, but no live replica that serves can take the lead", m.groupId());
      return;
    }
    if (m.transferLeadershipTo(to, "this node's disk is full")) {
      led.merge(to.id(), 1, Integer::sum);
    }
  }

  private void restartWhenDue(Guarded g) throws InterruptedException {
    String group = g.member().groupId();
    long now = System.currentTimeMillis();
    if (now < retryAtMs.getOrDefault(group, 0L)) {
      return;
    }
    long delay = retryDelayMs.getOrDefault(group, FIRST_RETRY_MS);
    retryDelayMs.put(group, Math.min(MAX_RETRY_MS, delay * 2));
    retryAtMs.put(group, now + delay);
    LOG.info("{}: stopped on an error; {} bytes usable again, restarting it", group, usableBytes);
    try {
      g.member().restart(g.beforeRestart());
    } catch (RuntimeException e) {
      LOG.warn("{}: restart failed, next try in {} ms: {}", group, delay, e.toString());
    }
  }

  @Override
  public void close() throws InterruptedException {
    timer.shutdownNow();
    timer.awaitTermination(10, TimeUnit.SECONDS);
  }
}
