package io.raftlog.replication;

import io.raftlog.api.v1.NodeState;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.ClusterLayout;
import io.raftlog.internal.v1.ShardReplicas;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreResources;
import io.raftlog.tls.CertificateWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(Replicas.class);

  /** The file in {@code data.dir} naming the cluster this node's data belongs to. */
  public static final String CLUSTER_ID_FILE = "cluster.id";

  private final NodeConfig config;
  private final String self;
  private final Path data;
  // The layout derived from cluster.peers (a node that forms the cluster); null for one that joins.
  private final ClusterLayout initial;
  private final StoreResources storeResources;
  private final RaftTransport transport;
  private final Members members;
  private final Catalog catalog;
  private final Map<Integer, ReplicatedLog> local = new ConcurrentSkipListMap<>();
  private final LeaderBalancer balancer;
  private final Map<String, Boolean> leaderKnown = new ConcurrentHashMap<>();
  private final Consumer<Boolean> allLeadersKnown;
  private final DiskGuard disk;
  private final LeadershipTargets targets;
  private final RetentionCheck retention;
  private final ReplicaReconciler reconciler;
  private final MovePlanner planner;
  private volatile SlotMap slots;
  private final List<Consumer<ReplicatedLog>> replicaStarted =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<Consumer<ReplicatedLog>> replicaDropped =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  private Replicas(
      NodeConfig config,
      boolean forms,
      Consumer<Boolean> allLeadersKnown,
      CertificateWatch certificates) {
    this.data = config.get(ConfigKeys.DATA_DIR);
    refuseSingleLogLayout(data);
    refusePerGroupLogs(data);
    this.config = config;
    this.self = config.get(ConfigKeys.NODE_ID);
    this.allLeadersKnown = allLeadersKnown;
    this.targets = new LeadershipTargets(self);
    this.disk = new DiskGuard(config, this::reportHealth, targets);
    this.initial = forms ? Layouts.initial(config) : null;
    this.slots = Layouts.slots(config);
    this.storeResources = StoreResources.defaults();
    // Assigned below; the members directory reads the catalog's layout once it is there.
    Catalog[] meta = new Catalog[1];
    this.members = new Members(config, () -> meta[0] == null ? null : meta[0].layout());
    this.transport = new RaftTransport(config, members, certificates);
    leaderKnown.put(Catalog.GROUP, false);
    List<Peer> voters = List.of();
    List<Peer> learners = List.of();
    if (initial != null) {
      List<Peer> peers = config.get(ConfigKeys.CLUSTER_PEERS);
      int n = MetaVoters.count(peers.size());
      voters = peers.subList(0, n);
      learners = peers.subList(n, peers.size());
    }
    this.catalog =
        new Catalog(
            config,
            members,
            voters,
            learners,
            data.resolve("meta").resolve("raft"),
            initial,
            known -> leaderKnown(Catalog.GROUP, known),
            transport);
    meta[0] = catalog;
    for (int id : shardsToStartAtBoot()) {
      startReplica(id, firstConf(id));
    }
    this.balancer =
        new LeaderBalancer(
            self,
            () -> List.copyOf(members.all().values()),
            this::shardLeaders,
            (shard, node) -> {
              io.raftlog.api.v1.ReplicaMove m = moveOf(shard);
              return m != null && m.getFromNode().equals(node.id());
            },
            local.values(),
            config.get(ConfigKeys.BALANCE_INTERVAL_MS),
            disk::full,
            targets);
    this.retention = new RetentionCheck(config, local.values());
    disk.watch(this::guarded);
    this.reconciler = new ReplicaReconciler(this);
    catalog.layoutListener(layout -> reconciler.layoutChanged());
    this.planner = new MovePlanner(config, this);
  }

  /**
   * The shards whose replicas start with the node: those with a directory under {@code shards/}
   * (the node held them when it stopped), and, for a node that forms the cluster, those the initial
   * layout gives it. The catalog then says which to add or drop ({@link ReplicaReconciler}).
   */
  private List<Integer> shardsToStartAtBoot() {
    java.util.TreeSet<Integer> ids = new java.util.TreeSet<>();
    try (var dirs = Files.list(data.resolve("shards"))) {
      dirs.forEach(
          d -> {
            try {
              ids.add(Integer.parseInt(d.getFileName().toString()));
            } catch (NumberFormatException notAShard) {
              // not one of ours
            }
          });
    } catch (java.nio.file.NoSuchFileException none) {
      // a new data directory
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + data.resolve("shards"), e);
    }
    if (initial != null && !Files.exists(data.resolve(CLUSTER_ID_FILE))) {
      for (ShardReplicas s : initial.getShardsList()) {
        if (s.getReplicasList().contains(self)) {
          ids.add(s.getId());
        }
      }
    }
    return List.copyOf(ids);
  }

  /**
   * A shard replica's first configuration: the initial layout's replicas for a node forming the
   * cluster that holds the shard there, else none (the replica waits for its group's leader; JRaft
   * uses the configuration in the replica's log and snapshot once it has any).
   */
  private List<Peer> firstConf(int shard) {
    if (initial == null) {
      return List.of();
    }
    ShardReplicas s = LayoutChanges.shard(initial, shard);
    if (s == null || !s.getReplicasList().contains(self)) {
      return List.of();
    }
    return members.byIds(s.getReplicasList());
  }

  /**
   * Starts this node's replica of {@code shard}; no-op if it runs. Called at boot and by the
   * reconciler.
   */
  synchronized void startReplica(int id, List<Peer> firstConf) {
    if (local.containsKey(id)) {
      return;
    }
    String group = ReplicatedLog.groupId(id);
    leaderKnown.put(group, false);
    Path dir = data.resolve("shards").resolve(Integer.toString(id));
    RocksLogStore store = RocksLogStore.open(dir.resolve("store"), storeResources);
    try {
      local.put(
          id,
          new ReplicatedLog(
              id,
              config,
              members,
              firstConf,
              dir.resolve("raft"),
              store,
              known -> leaderKnown(group, known),
              transport));
    } catch (RuntimeException e) {
      store.close(); // a later round opens it again
      leaderKnown.remove(group);
      throw e;
    }
    replicaStarted.forEach(l -> l.accept(local.get(id)));
    LOG.info(
        "shard {}: replica started on this node ({})",
        id,
        firstConf.isEmpty() ? "joining its group" : "forming it");
    reportHealth();
  }

  /**
   * Stops this node's replica of {@code shard} and deletes its data: the shard's membership no
   * longer holds this node (the move that took it out is committed). Called by the reconciler.
   */
  synchronized void dropReplica(int id) throws InterruptedException {
    ReplicatedLog r = local.remove(id);
    if (r == null) {
      return;
    }
    leaderKnown.remove(ReplicatedLog.groupId(id));
    replicaDropped.forEach(l -> l.accept(r));
    r.shutdown();
    r.close();
    transport.forgetLog(ReplicatedLog.groupId(id));
    Path dir = data.resolve("shards").resolve(Integer.toString(id));
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (java.io.IOException e) {
      LOG.warn("shard {}: cannot delete {} of a dropped replica", id, dir, e);
    }
    LOG.info("shard {}: replica dropped from this node, its data deleted", id);
    reportHealth();
  }

  private List<DiskGuard.Guarded> guarded() {
    List<DiskGuard.Guarded> out = new ArrayList<>();
    out.add(new DiskGuard.Guarded(catalog.member(), () -> {}));
    local.values().forEach(r -> out.add(new DiskGuard.Guarded(r.member(), r::prepareRestart)));
    return out;
  }

  /** Keeps the cluster id of the catalog in {@code data.dir}, once: the data belongs to it. */
  void rememberClusterId(String clusterId) {
    Path file = data.resolve(CLUSTER_ID_FILE);
    if (clusterId.isEmpty() || Files.exists(file)) {
      return;
    }
    try {
      Files.createDirectories(data);
      Path tmp = data.resolve(CLUSTER_ID_FILE + ".tmp");
      Files.writeString(tmp, clusterId + "\n");
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (java.io.IOException e) {
      LOG.warn("cannot write {}", file, e);
    }
  }

  /** The cluster id in this node's data directory; empty for a node with no data yet. */
  public String clusterIdOnDisk() {
    try {
      return Files.readString(data.resolve(CLUSTER_ID_FILE)).trim();
    } catch (java.io.IOException none) {
      return "";
    }
  }

  /**
   * Calls {@code each} with every shard replica of this node, now and as the reconciler starts new
   * ones (on its thread): how a service part follows every replica's applied events.
   */
  public synchronized void eachReplica(Consumer<ReplicatedLog> each) {
    replicaStarted.add(each);
    local.values().forEach(each);
  }

  /**
   * As {@link #eachReplica(Consumer)}, and calls {@code dropped} with each replica the reconciler
   * drops from this node (on its thread, before the replica stops): how a part lets go of it.
   */
  public synchronized void eachReplica(
      Consumer<ReplicatedLog> each, Consumer<ReplicatedLog> dropped) {
    replicaDropped.add(dropped);
    eachReplica(each);
  }

  /** The disk under the data directory, as the disk guard reads it. */
  public DiskSpace disk() {
    return disk;
  }

  /**
   * Every shard's leader: as this node's replica knows it, or (a shard it holds no replica of) as
   * the shard's replicas answer JRaft's CLI service; null while a shard has none known.
   */
  Map<Integer, Peer> shardLeaders() {
    Map<Integer, Peer> out = new java.util.TreeMap<>();
    for (int shard = 0; shard < shardCount(); shard++) {
      ReplicatedLog r = local.get(shard);
      MovePlanner p = planner; // null while the constructor runs
      Peer leader = r != null ? r.leader() : p == null ? null : p.leaderOf(shard);
      if (leader == null) {
        return null;
      }
      out.put(shard, leader);
    }
    return out;
  }

  /** Who the nodes are and where they listen. */
  public Members members() {
    return members;
  }

  /** The catalog's layout, or the one this node derived from its config until there is one. */
  ClusterLayout layout() {
    ClusterLayout l = catalog.layout();
    return l != null ? l : initial;
  }

  String self() {
    return self;
  }

  NodeConfig config() {
    return config;
  }

  void slotsFrom(ClusterLayout l) {
    if (l.getSlotsCount() > 0) {
      slots = new SlotMap(l.getSlotsList(), l.getSlotCount());
    }
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
   * Starts this node's members of the meta group and of its shards. {@code forms}: the node forms
   * the cluster with {@code cluster.peers} (its first layout and configurations come from there);
   * else it joins a running one (its members start empty and the groups' leaders fill them). {@code
   * allLeadersKnown} is told, on JRaft's threads and the disk guard's, whether every one of them
   * knows its group's leader and the node has disk space (the node's health). {@code certificates}:
   * the node's one watch over its PEM files (owned by the caller), through which the Raft port's
   * TLS reloads; null when neither port uses TLS.
   */
  public static Replicas start(
      NodeConfig config,
      boolean forms,
      Consumer<Boolean> allLeadersKnown,
      CertificateWatch certificates) {
    return new Replicas(config, forms, allLeadersKnown, certificates);
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
    // A node being drained takes no leadership: it is about to lose its replicas.
    targets.acceptOnly(
        accepted.and(
            p -> {
              ClusterLayout l = catalog.layout();
              return l == null || LayoutChanges.state(l, p.id()) == NodeState.ACTIVE;
            }));
  }

  /**
   * Which nodes the leader balancer may hand a leadership to, besides {@link #leadershipTargets}'s
   * rule (e.g. only nodes that have served for a while).
   */
  public void balanceOnlyTo(Predicate<Peer> settled) {
    balancer.onlyTo(settled);
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
    ClusterLayout l = layout();
    return l != null ? l.getShardsCount() : config.get(ConfigKeys.CLUSTER_SHARDS);
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

  /** The nodes that hold a voting replica of {@code shard}, as the catalog says. */
  public List<Peer> replicasOf(int shard) {
    ClusterLayout l = layout();
    ShardReplicas s = l == null ? null : LayoutChanges.shard(l, shard);
    return s == null ? List.of() : members.byIds(s.getReplicasList());
  }

  /** The move of {@code shard} in progress, or null. */
  public io.raftlog.api.v1.ReplicaMove moveOf(int shard) {
    ClusterLayout l = catalog.layout();
    ShardReplicas s = l == null ? null : LayoutChanges.shard(l, shard);
    return s == null || !s.hasMove() ? null : s.getMove();
  }

  /**
   * A node's standing in the catalog; null for a node it does not hold (or before it is formed).
   */
  public NodeState stateOf(String node) {
    ClusterLayout l = catalog.layout();
    return l == null ? null : LayoutChanges.state(l, node);
  }

  /** Whether node {@code id} has checked in: kept the cluster id in its data directory. */
  public boolean checkedIn(String id) {
    ClusterLayout l = catalog.layout();
    return l != null && LayoutChanges.checkedIn(l, id);
  }

  /** The cluster's id, once the catalog is formed; else empty. */
  public String clusterId() {
    ClusterLayout l = catalog.layout();
    return l == null ? "" : l.getClusterId();
  }

  /** Replicas per shard, as the cluster was formed with. */
  public int replication() {
    ClusterLayout l = layout();
    return l != null ? l.getReplication() : config.effectiveReplication();
  }

  /** The membership operations (drain, remove, moves), run on the meta group's leader. */
  public MovePlanner planner() {
    return planner;
  }

  /** Stops the balancer, every group member (all at once, then waits), the stores and the port. */
  @Override
  public void close() throws InterruptedException {
    planner.close();
    reconciler.close();
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
