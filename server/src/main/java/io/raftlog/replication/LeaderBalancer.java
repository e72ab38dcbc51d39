package io.raftlog.replication;

import io.raftlog.config.Peer;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads shard leadership over the nodes. Each node runs one: every interval it counts the shards
 * each node leads (as this node's replicas see their leaders) and, if it leads at least two more
 * than the replica {@link LeadershipTargets} chooses (live, serving, leading the fewest), hands one
 * of its shards to that replica. One transfer per round, and only while every local shard knows its
 * leader, so the nodes converge on {@code shards/nodes ± 1} each without fighting. Runs on its own
 * scheduler thread.
 */
final class LeaderBalancer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderBalancer.class);

  private final String self;
  private final Collection<ReplicatedLog> shards;
  private final java.util.function.Supplier<List<Peer>> nodes;
  private final java.util.function.Supplier<Map<Integer, Peer>> allLeaders;
  private final BooleanSupplier selfFull;
  private final LeadershipTargets targets;
  private volatile java.util.function.Predicate<Peer> settled = p -> true;
  // Whether a node is leaving a shard (the move in progress takes its replica away): the planner
  // has just handed that shard's leadership off it, and handing it back would undo that every
  // round (a move took 283 s in a chaos run while two nodes passed the leadership to and fro).
  private final java.util.function.BiPredicate<Integer, Peer> leaving;
  // Shards this balancer handed (or tried to hand) over lately, by shard, with the round it did:
  // a transfer that did not happen is not asked again every round (JRaft's leader holds writes
  // while a transfer is pending).
  private final Map<Integer, Long> lastTransferRound = new HashMap<>();
  private long round;

  /** Rounds a shard is left alone after this balancer handed it over (or tried to). */
  static final int ROUNDS_BETWEEN_TRANSFERS = 5;

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "raftlog-leader-balancer");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param selfFull whether this node's disk is full: a full node hands nothing over (its {@link
   *     DiskGuard} hands everything away)
   */
  LeaderBalancer(
      String self,
      java.util.function.Supplier<List<Peer>> nodes,
      java.util.function.Supplier<Map<Integer, Peer>> allLeaders,
      java.util.function.BiPredicate<Integer, Peer> leaving,
      Collection<ReplicatedLog> shards,
      long intervalMs,
      BooleanSupplier selfFull,
      LeadershipTargets targets) {
    this.self = self;
    this.targets = targets;
    this.selfFull = selfFull;
    this.nodes = nodes;
    this.allLeaders = allLeaders;
    this.leaving = leaving;
    this.shards = shards;
    // The first round waits two intervals: elections right after a start settle first.
    timer.scheduleWithFixedDelay(
        this::balanceSafely, 2 * intervalMs, intervalMs, TimeUnit.MILLISECONDS);
  }

  /** The balancer hands leaderships only to nodes this accepts (besides the targets' rule). */
  void onlyTo(java.util.function.Predicate<Peer> settled) {
    this.settled = settled;
  }

  private void balanceSafely() {
    try {
      balance();
    } catch (RuntimeException e) {
      LOG.warn("leader balancing round failed", e);
    }
  }

  /** One round; package-private so a test can run one at a time. */
  boolean balance() {
    if (selfFull.getAsBoolean()) {
      return false;
    }
    Map<String, Integer> led = new HashMap<>();
    nodes.get().forEach(p -> led.put(p.id(), 0));
    for (ReplicatedLog s : shards) {
      if (s.leader() == null) {
        return false; // an election is running: wait for it
      }
    }
    // Every shard's leader, those of shards this node holds no replica of included: counted only
    // over its own shards, a node that holds some of the shards sees the others lead nothing and
    // hands leaderships back and forth with them.
    Map<Integer, Peer> leaders = allLeaders.get();
    if (leaders == null) {
      return false;
    }
    leaders.values().forEach(p -> led.merge(p.id(), 1, Integer::sum));
    int mine = led.getOrDefault(self, 0);
    long now = ++round;
    for (ReplicatedLog s : shards) {
      if (!s.isLeader()) {
        continue;
      }
      Long last = lastTransferRound.get(s.shard());
      if (last != null && now - last < ROUNDS_BETWEEN_TRANSFERS) {
        continue;
      }
      Peer target = targets.choose(s.member(), led);
      if (target != null
          && mine - led.getOrDefault(target.id(), 0) >= 2
          && settled.test(target)
          && !leaving.test(s.shard(), target)) {
        lastTransferRound.put(s.shard(), now);
        return s.member()
            .transferLeadershipTo(
                target,
                "balancing (this node leads "
                    + mine
                    + " groups, node "
                    + target.id()
                    + " leads "
                    + led.getOrDefault(target.id(), 0)
                    + ")");
      }
    }
    return false;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
