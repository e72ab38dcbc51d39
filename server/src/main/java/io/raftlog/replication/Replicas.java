package io.raftlog.replication;

import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.ClusterLayout;
import io.raftlog.internal.v1.ShardReplicas;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Every Raft group member of one node: its replica of the meta group ({@link Catalog}) and of each
 * shard it holds ({@link ReplicatedLog}), over one shared {@link RaftTransport}, plus the {@link
 * LeaderBalancer}. Knows the cluster's layout (derived from the config, as the catalog records it)
 * and so which shard holds a stream and which nodes hold a shard.
 *
 * <p>Data layout under {@code data.dir}: {@code raft-log/}, the node's one Raft log, shared by
 * every group (owned by {@link RaftTransport}); {@code meta/raft/} for the meta group's Raft
 * metadata and snapshots, {@code shards/<n>/raft/} and {@code shards/<n>/store/} for each shard
 * replica.
 *
 * <p>Also owns the node's {@link RetentionCheck}: one thread for the retention of every shard it
 * leads.
 */
public final class Replicas implements AutoCloseable {
  private final NodeConfig config;
  private final ClusterLayout layout;
  private final SlotMap slots;
  private final StoreResources storeResources;
  private final RaftTransport transport;
  private final Catalog catalog;
  private final Map<Integer, ReplicatedLog> local = new TreeMap<>();
  private final LeaderBalancer balancer;
  private final Map<String, Boolean> leaderKnown = new ConcurrentHashMap<>();
  private final Consumer<Boolean> allLeadersKnown;
  private final DiskGuard disk;
  private final LeadershipTargets targets;
  private final RetentionCheck retention;

  private Replicas(NodeConfig config, Consumer<Boolean> allLeadersKnown) {
    refuseSingleLogLayout(config.get(ConfigKeys.DATA_DIR));
    refusePerGroupLogs(config.get(ConfigKeys.DATA_DIR));
    this.config = config;
    this.allLeadersKnown = allLeadersKnown;
    this.targets = new LeadershipTargets(config.get(ConfigKeys.NODE_ID));
    this.disk = new DiskGuard(config, this::reportHealth, targets);
    this.layout = Layouts.initial(config);
    this.slots = new SlotMap(layout.getSlotsList(), layout.getSlotCount());
    this.storeResources = StoreResources.defaults();
    this.transport = new RaftTransport(config);
    Path data = config.get(ConfigKeys.DATA_DIR);
    leaderKnown.put(Catalog.GROUP, false);
    this.catalog =
        new Catalog(
            config,
            config.get(ConfigKeys.CLUSTER_PEERS),
            data.resolve("meta").resolve("raft"),
            layout,
            known -> leaderKnown(Catalog.GROUP, known),
            transport);
    for (ShardReplicas s : layout.getShardsList()) {
      if (!s.getReplicasList().contains(config.get(ConfigKeys.NODE_ID))) {
        continue;
      }
      int id = s.getId();
      String group = ReplicatedLog.groupId(id);
      leaderKnown.put(group, false);
      Path dir = data.resolve("shards").resolve(Integer.toString(id));
      local.put(
          id,
          new ReplicatedLog(
              id,
              config,
              peers(s.getReplicasList()),
              dir.resolve("raft"),
              RocksLogStore.open(dir.resolve("store"), storeResources),
              known -> leaderKnown(group, known),
              transport));
    }
    this.balancer =
        new LeaderBalancer(
            config.get(ConfigKeys.NODE_ID),
            config.get(ConfigKeys.CLUSTER_PEERS),
            local.values(),
            config.get(ConfigKeys.BALANCE_INTERVAL_MS),
            disk::full,
            targets);
    this.retention = new RetentionCheck(config, local.values());
    List<DiskGuard.Guarded> guarded = new ArrayList<>();
    guarded.add(new DiskGuard.Guarded(catalog.member(), () -> {}));
    local.values().forEach(r -> guarded.add(new DiskGuard.Guarded(r.member(), r::prepareRestart)));
    disk.watch(guarded);
  }

  /**
   * A data directory written before streams holds {@code store/} and {@code raft/} at its top: this
   * version cannot read it, and must not start an empty cluster beside it as if nothing were there.
   */
  private static void refuseSingleLogLayout(Path data) {
    if (Files.isDirectory(data.resolve("store")) || Files.isDirectory(data.resolve("raft"))) {
      throw new IllegalStateException(
          "the data directory "
              + data
              + " holds a log from a raftlog version before streams (store/ and raft/ at its top),"
              + " which this version cannot read: move it away or delete it (for the local"
              + " cluster: scripts/start-cluster.sh --clean)");
    }
  }

  /**
   * A data directory written before the node's shared Raft log holds one Raft log per group ({@code
   * meta/raft/log}, {@code shards/<n>/raft/log}): started on it, every group would find an empty
   * log beside its snapshot and metadata, and could lose acknowledged entries. Refused, with what
   * to do.
   */
  private static void refusePerGroupLogs(Path data) {
    List<Path> old = new ArrayList<>();
    old.add(data.resolve("meta").resolve("raft").resolve("log"));
    try (var shards = Files.list(data.resolve("shards"))) {
      shards.forEach(s -> old.add(s.resolve("raft").resolve("log")));
    } catch (java.nio.file.NoSuchFileException none) {
      // a new data directory
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + data.resolve("shards"), e);
    }
    for (Path p : old) {
      if (Files.isDirectory(p)) {
        throw new IllegalStateException(
            "the data directory "
                + data
                + " holds a Raft log per group ("
                + p
                + "), written by a raftlog version before the node's shared Raft log ("
                + RaftTransport.RAFT_LOG_DIR
                + "/), which this version does not read: let the node catch up from the others"
                + " by moving its data directory away (one node at a time, the others running),"
                + " or for the local cluster: scripts/start-cluster.sh --clean");
      }
    }
  }

  /**
   * Starts this node's members of the meta group and of its shards. {@code allLeadersKnown} is
   * told, on JRaft's threads and the disk guard's, whether every one of them knows its group's
   * leader and the node has disk space (the node's health).
   */
  public static Replicas start(NodeConfig config, Consumer<Boolean> allLeadersKnown) {
    return new Replicas(config, allLeadersKnown);
  }

  private void leaderKnown(String group, boolean known) {
    leaderKnown.put(group, known);
    reportHealth();
  }

  private void reportHealth() {
    allLeadersKnown.accept(!leaderKnown.containsValue(false) && !disk.full());
  }

  /**
   * Why this node takes no writes now (its disk is below {@code storage.min-free-bytes}), in words
   * naming the node, directory and bytes; null while it has space.
   */
  public String diskFullReason() {
    return disk.fullReason();
  }

  /**
   * Which nodes may be handed a leadership by this one (the balancer, the disk guard, a clean
   * stop): the server says, e.g. only nodes whose health is SERVING. Until this is called, any live
   * replica.
   */
  public void leadershipTargets(Predicate<Peer> accepted) {
    targets.acceptOnly(accepted);
  }

  /**
   * Before a clean stop: hands every group this node leads (the meta group, its shards) to another
   * replica that may take it, and waits up to {@code budgetMs} for that; the node keeps serving
   * meanwhile (as a follower it forwards). Blocks the caller.
   *
   * @return the groups this node still leads when the budget ran out (empty when all went)
   */
  public List<String> handOffLeaderships(long budgetMs) throws InterruptedException {
    List<GroupMember> members = new ArrayList<>();
    members.add(catalog.member());
    local.values().forEach(r -> members.add(r.member()));
    return new LeadershipHandOff(members, targets).run(budgetMs);
  }

  public Catalog catalog() {
    return catalog;
  }

  public SlotMap slots() {
    return slots;
  }

  public int shardCount() {
    return layout.getShardsCount();
  }

  /** The shard that holds {@code stream} (a valid name). */
  public int shardOf(String stream) {
    return slots.shardOf(stream);
  }

  /** This node's replica of {@code shard}, or null if the node holds none. */
  public ReplicatedLog local(int shard) {
    return local.get(shard);
  }

  /** This node's shard replicas, by shard id. */
  public Map<Integer, ReplicatedLog> localShards() {
    return Collections.unmodifiableMap(local);
  }

  /** The nodes that hold a replica of {@code shard}. */
  public List<Peer> replicasOf(int shard) {
    return peers(layout.getShards(shard).getReplicasList());
  }

  private List<Peer> peers(List<String> ids) {
    List<Peer> out = new ArrayList<>();
    ids.forEach(id -> out.add(config.peer(id)));
    return out;
  }

  /** Stops the balancer, every group member (all at once, then waits), the stores and the port. */
  @Override
  public void close() throws InterruptedException {
    retention.close();
    disk.close();
    balancer.close();
    catalog.shutdown();
    local.values().forEach(ReplicatedLog::shutdown);
    catalog.close();
    for (ReplicatedLog r : local.values()) {
      r.close();
    }
    transport.close();
    storeResources.close();
  }
}
