package io.raftlog.replication;

import com.alipay.sofa.jraft.CliService;
import com.alipay.sofa.jraft.RaftServiceFactory;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.CliOptions;
import io.raftlog.api.v1.NodeState;
import io.raftlog.api.v1.ReplicaMove;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.ClusterLayout;
import io.raftlog.internal.v1.NodeEntry;
import io.raftlog.internal.v1.ShardReplicas;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the catalog's membership on the meta group's leader: keeps the meta group's voters
 * (3, or 5 from five nodes) and learners (every other node) as the catalog's nodes say; drives each
 * shard move the catalog holds through a Raft membership change (the new replica catches up before
 * it votes, then joint consensus, then the old one leaves) and records its end; and starts new
 * moves, at most {@code rebalance.max-concurrent-moves} at once: first to bring a shard back to the
 * replication factor (a node removed as dead), then off draining nodes, then to even out replica
 * counts (a node that joined). Also checks and records the operators' requests (drain, remove,
 * move, leader transfer). One per node, owned by {@link Replicas}; its rounds run on its own thread
 * and do nothing on a node that does not lead the meta group. A shard's membership change is asked
 * of the shard's leader through JRaft's CLI service (Bolt, the Raft transport), wherever it is.
 */
public final class MovePlanner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MovePlanner.class);
  private static final long WRITE_TIMEOUT_MS = 5_000;

  private final Replicas replicas;
  private final int maxMoves;
  private final long deadAfterMs;
  private final CliService cli;
  private final Map<String, Long> unreachableSince = new HashMap<>();
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "raftlog-move-planner");
            t.setDaemon(true);
            return t;
          });

  MovePlanner(NodeConfig config, Replicas replicas) {
    this.replicas = replicas;
    this.maxMoves = config.get(ConfigKeys.REBALANCE_MAX_CONCURRENT_MOVES);
    this.deadAfterMs = config.get(ConfigKeys.NODES_DEAD_AFTER_MS);
    CliOptions opts = new CliOptions();
    opts.setTimeoutMs(2_000);
    opts.setRpcDefaultTimeout(10_000);
    opts.setMaxRetry(1);
    this.cli = RaftServiceFactory.createAndInitCliService(opts);
    long every = config.get(ConfigKeys.BALANCE_INTERVAL_MS);
    thread.scheduleWithFixedDelay(this::roundSafely, every, every, TimeUnit.MILLISECONDS);
  }

  private void roundSafely() {
    try {
      if (replicas.catalog().isLeader() && replicas.catalog().layout() != null) {
        round();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("membership round failed; the next one tries again", e);
    }
  }

  /** One round; package-private so a test can run one at a time. */
  void round() throws InterruptedException {
    ClusterLayout l = replicas.catalog().layout();
    if (metaMembership(l)) {
      return; // one membership change of the meta group at a time
    }
    for (ShardReplicas s : l.getShardsList()) {
      if (s.hasMove()) {
        drive(l, s);
      }
    }
    l = replicas.catalog().layout();
    dropRemovedVoters(l);
    // Moves that ended in this round make room at once: the next starts now, not a round later.
    long running = l.getShardsList().stream().filter(ShardReplicas::hasMove).count();
    if (running < maxMoves) {
      Planned next = nextMove(l);
      if (next != null) {
        await(replicas.catalog().beginMove(next.shard(), next.move()));
      }
    }
    markDrained(replicas.catalog().layout());
    removeDead(replicas.catalog().layout());
  }

  /** A shard's leader as its replicas answer (JRaft's CLI service); null while none is known. */
  Peer leaderOf(int shard) {
    ClusterLayout l = replicas.layout();
    ShardReplicas s = l == null ? null : LayoutChanges.shard(l, shard);
    if (s == null) {
      return null;
    }
    PeerId leader = new PeerId();
    if (!cli.getLeader(ReplicatedLog.groupId(shard), conf(s.getReplicasList()), leader).isOk()) {
      return null;
    }
    return replicas.members().byRaftAddress(leader.getEndpoint().toString());
  }

  // ---- the meta group ----------------------------------------------------------------------

  /** Changes the meta group's membership one step toward the catalog's; true if it asked one. */
  private boolean metaMembership(ClusterLayout l) throws InterruptedException {
    GroupMember meta = replicas.catalog().member();
    List<String> voters = meta.replicas().stream().map(Peer::id).toList();
    List<Peer> learnerPeers = meta.learners();
    if (learnerPeers == null) {
      return false; // no longer leads
    }
    List<String> learners = learnerPeers.stream().map(Peer::id).toList();
    List<String> registered = l.getNodesList().stream().map(NodeEntry::getId).toList();
    List<String> active =
        l.getNodesList().stream()
            .filter(n -> LayoutChanges.state(l, n.getId()) == NodeState.ACTIVE)
            .map(NodeEntry::getId)
            .toList();
    int want = MetaVoters.count(active.size());
    List<String> wantVoters = new ArrayList<>();
    voters.stream().filter(active::contains).forEach(wantVoters::add);
    active.stream().filter(id -> !wantVoters.contains(id)).forEach(wantVoters::add);
    // Keep the leader (this node) among the voters when trimming: it would step down otherwise.
    String self = replicas.self();
    while (wantVoters.size() > want) {
      String drop = wantVoters.get(wantVoters.size() - 1);
      if (drop.equals(self)) {
        drop = wantVoters.get(wantVoters.size() - 2);
      }
      wantVoters.remove(drop);
    }
    if (wantVoters.isEmpty()) {
      return false;
    }
    List<String> wantLearners = registered.stream().filter(id -> !wantVoters.contains(id)).toList();
    List<String> nextVoters = voters;
    List<String> nextLearners = learners;
    // A learner that must become a voter or leave goes first on its own: JRaft stops the
    // replicator of a peer that leaves the learners in the same change that makes it a voter.
    List<String> keptLearners = learners.stream().filter(wantLearners::contains).toList();
    if (!keptLearners.equals(learners)) {
      nextLearners = keptLearners;
    } else if (!sameSet(voters, wantVoters)) {
      nextVoters = wantVoters;
    } else if (!sameSet(learners, wantLearners)) {
      nextLearners = wantLearners;
    } else {
      return false;
    }
    Members members = replicas.members();
    LOG.info(
        "meta group: voters {} -> {}, learners {} -> {}",
        voters,
        nextVoters,
        learners,
        nextLearners);
    CompletableFuture<Status> done = new CompletableFuture<>();
    meta.changePeers(members.byIds(nextVoters), members.byIds(nextLearners), done::complete);
    Status st = await(done);
    if (st != null && !st.isOk()) {
      LOG.info("meta group membership change not made yet: {}", st);
    }
    return true;
  }

  private static boolean sameSet(List<String> a, List<String> b) {
    return a.size() == b.size() && a.containsAll(b);
  }

  // ---- shard moves -------------------------------------------------------------------------

  /**
   * One step of a move: hand the leadership off the leaving node, change the membership, end it.
   */
  private void drive(ClusterLayout l, ShardReplicas s) throws InterruptedException {
    ReplicaMove m = s.getMove();
    if (LayoutChanges.state(l, m.getToNode()) == null) {
      await(replicas.catalog().abortMove(s.getId(), m));
      return;
    }
    String group = ReplicatedLog.groupId(s.getId());
    Configuration now = conf(LayoutChanges.holders(s));
    List<String> target = new ArrayList<>(s.getReplicasList());
    target.remove(m.getFromNode());
    target.add(m.getToNode());
    if (!m.getFromNode().isEmpty()) {
      PeerId leader = new PeerId();
      if (cli.getLeader(group, now, leader).isOk()) {
        Peer leading = replicas.members().byRaftAddress(leader.getEndpoint().toString());
        if (leading != null && leading.id().equals(m.getFromNode())) {
          String toId =
              s.getReplicasList().stream()
                  .filter(id -> !id.equals(m.getFromNode()))
                  .findFirst()
                  .orElse(null);
          PeerId to = peerId(toId);
          if (to != null) {
            Status t = cli.transferLeader(group, now, to);
            LOG.info(
                "shard {}: leadership handed from node {} to node {}: node {} leaves the shard"
                    + " (replica move): {}",
                s.getId(),
                m.getFromNode(),
                toId,
                m.getFromNode(),
                t.isOk() ? "asked" : t.getErrorMsg());
            return;
          }
        }
      }
    }
    Status st = cli.changePeers(group, now, conf(target));
    if (st.isOk()) {
      await(replicas.catalog().endMove(s.getId(), m));
    } else {
      LOG.info(
          "shard {}: membership change {} -> {} not done yet: {}",
          s.getId(),
          s.getReplicasList(),
          target,
          st);
    }
  }

  private Configuration conf(List<String> ids) {
    Configuration c = new Configuration();
    for (String id : ids) {
      PeerId p = peerId(id);
      if (p != null) {
        c.addPeer(p);
      }
    }
    return c;
  }

  private PeerId peerId(String id) {
    Peer p = id == null ? null : replicas.members().byId(id);
    return p == null ? null : PeerId.parsePeer(p.raftAddress());
  }

  /**
   * A shard below the replication factor lost a node removed as dead: its Raft configuration still
   * counts that node. It leaves the configuration first (the living replicas are a majority of it),
   * before a repair move adds a new one: a node that comes back at the same address as a new member
   * must be caught up as one, not taken for the voter it was.
   */
  private void dropRemovedVoters(ClusterLayout l) {
    for (ShardReplicas s : l.getShardsList()) {
      if (s.hasMove() || s.getReplicasCount() >= l.getReplication() || s.getReplicasCount() == 0) {
        continue;
      }
      String group = ReplicatedLog.groupId(s.getId());
      Configuration living = conf(s.getReplicasList());
      List<PeerId> peers;
      try {
        peers = cli.getPeers(group, living);
      } catch (RuntimeException e) {
        LOG.info("shard {}: cannot read its membership yet: {}", s.getId(), e.getMessage());
        continue;
      }
      if (peers.size() > living.size()) {
        Status st = cli.changePeers(group, living, living);
        LOG.info(
            "shard {}: removed nodes leave its membership {} -> {}: {}",
            s.getId(),
            peers,
            s.getReplicasList(),
            st);
      }
    }
  }

  /** A move to start, and its shard. */
  private record Planned(int shard, ReplicaMove move) {}

  private static Planned planned(ShardReplicas s, String from, String to, String reason) {
    return new Planned(
        s.getId(),
        ReplicaMove.newBuilder()
            .setFromNode(from)
            .setToNode(to)
            .setReason(reason)
            .setStartedMs(System.currentTimeMillis())
            .build());
  }

  /**
   * The next move to start, or null: a shard below the replication factor first, then a replica on
   * a draining node, then one from the fullest active node to the emptiest when they differ by two
   * or more.
   */
  private Planned nextMove(ClusterLayout l) {
    int r = l.getReplication();
    Map<String, Integer> load = load(l);
    for (ShardReplicas s : l.getShardsList()) {
      if (!s.hasMove() && s.getReplicasCount() < r && votersAre(s)) {
        String to = emptiest(l, load, s);
        if (to != null) {
          return planned(s, "", to, "repair");
        }
      }
    }
    for (ShardReplicas s : l.getShardsList()) {
      if (s.hasMove()) {
        continue;
      }
      for (String id : s.getReplicasList()) {
        if (LayoutChanges.state(l, id) != NodeState.ACTIVE) {
          String to = emptiest(l, load, s);
          if (to != null) {
            return planned(s, id, to, "drain");
          }
        }
      }
    }
    String full = null;
    String empty = null;
    for (Map.Entry<String, Integer> e : load.entrySet()) {
      if (full == null || e.getValue() > load.get(full)) {
        full = e.getKey();
      }
      if (empty == null || e.getValue() < load.get(empty)) {
        empty = e.getKey();
      }
    }
    if (full != null && load.get(full) - load.get(empty) >= 2) {
      for (ShardReplicas s : l.getShardsList()) {
        if (!s.hasMove()
            && s.getReplicasList().contains(full)
            && !LayoutChanges.holders(s).contains(empty)) {
          return planned(s, full, empty, "rebalance");
        }
      }
    }
    return null;
  }

  /** Whether the shard's Raft configuration is its catalog replicas (no removed node in it). */
  private boolean votersAre(ShardReplicas s) {
    try {
      List<PeerId> peers =
          cli.getPeers(ReplicatedLog.groupId(s.getId()), conf(s.getReplicasList()));
      return peers.size() == s.getReplicasCount();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Replicas per active node (a move's target counts). */
  private static Map<String, Integer> load(ClusterLayout l) {
    Map<String, Integer> load = new java.util.TreeMap<>();
    for (NodeEntry n : l.getNodesList()) {
      if (LayoutChanges.state(l, n.getId()) == NodeState.ACTIVE) {
        load.put(n.getId(), 0);
      }
    }
    for (ShardReplicas s : l.getShardsList()) {
      for (String id : LayoutChanges.holders(s)) {
        load.computeIfPresent(id, (k, v) -> v + 1);
      }
    }
    return load;
  }

  private static String emptiest(ClusterLayout l, Map<String, Integer> load, ShardReplicas s) {
    return load.entrySet().stream()
        .filter(e -> !LayoutChanges.holders(s).contains(e.getKey()))
        .min(
            Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse(null);
  }

  /** A draining node that holds nothing and votes in no group is drained. */
  private void markDrained(ClusterLayout l) throws InterruptedException {
    for (NodeEntry n : l.getNodesList()) {
      if (LayoutChanges.state(l, n.getId()) != NodeState.DRAINING) {
        continue;
      }
      boolean holds =
          l.getShardsList().stream().anyMatch(s -> LayoutChanges.holders(s).contains(n.getId()));
      boolean votes =
          replicas.catalog().replicas().stream().anyMatch(p -> p.id().equals(n.getId()));
      if (!holds && !votes) {
        await(replicas.catalog().setNodeState(n.getId(), NodeState.DRAINED));
      }
    }
  }

  /**
   * With {@code nodes.dead-after-ms}: a node none of the meta group's leader's members has heard
   * from that long (a meta voter the leader does not see alive) is removed as dead.
   */
  private void removeDead(ClusterLayout l) throws InterruptedException {
    if (deadAfterMs <= 0) {
      return;
    }
    List<String> alive = replicas.catalog().member().alivePeers().stream().map(Peer::id).toList();
    List<String> voters = replicas.catalog().replicas().stream().map(Peer::id).toList();
    long now = System.currentTimeMillis();
    for (String id : voters) {
      if (alive.contains(id)) {
        unreachableSince.remove(id);
      } else {
        long since = unreachableSince.computeIfAbsent(id, k -> now);
        if (now - since >= deadAfterMs && voters.size() - 1 >= 2) {
          LOG.warn(
              "node {} unreachable for {} ms (nodes.dead-after-ms): removing it as dead",
              id,
              now - since);
          await(replicas.catalog().removeNode(id, true));
          unreachableSince.remove(id);
          return;
        }
      }
    }
  }

  // ---- operators' requests (on the meta group's leader) ---------------------------------------

  /**
   * Registers a node that joins (checked by the caller), or records a registered node's check-in;
   * the rounds then give it replicas.
   */
  public void join(String id, String raftAddress, String clientAddress, boolean checkedIn)
      throws InterruptedException {
    formed();
    await(
        replicas
            .catalog()
            .addNode(
                NodeEntry.newBuilder()
                    .setId(id)
                    .setRaftAddress(raftAddress)
                    .setClientAddress(clientAddress)
                    .setCheckedIn(checkedIn)
                    .build()));
  }

  /**
   * Hands the meta group's leadership to {@code to} (this node must lead it); answers the leader
   * after, waiting up to 5 s.
   */
  public String transferMetaLeader(String to) throws InterruptedException {
    ClusterLayout l = formed();
    known(l, to);
    GroupMember meta = replicas.catalog().member();
    Peer target = replicas.members().byId(to);
    if (meta.replicas().stream().noneMatch(p -> p.id().equals(to))) {
      throw new MembershipRefused(
          MembershipRefused.Kind.UNSAFE,
          "node "
              + to
              + " does not vote in the meta group (its voters: "
              + meta.replicas().stream().map(Peer::id).toList()
              + ")");
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    boolean asked = false;
    while (System.nanoTime() - until < 0) {
      Peer leader = meta.leader();
      if (leader != null && leader.id().equals(to)) {
        return to;
      }
      if (!asked && meta.isLeader()) {
        asked = meta.transferLeadershipTo(target, "asked by an operator (TransferLeader)");
      }
      Thread.sleep(100);
    }
    throw new MembershipRefused(
        MembershipRefused.Kind.TIMED_OUT,
        "the meta group's leadership did not move to node " + to + " within 5 s");
  }

  /** Starts draining {@code id}; answers its state after. */
  public NodeState drain(String id) throws InterruptedException {
    ClusterLayout l = formed();
    NodeState state = known(l, id);
    if (state == NodeState.ACTIVE) {
      long othersActive =
          l.getNodesList().stream()
              .filter(
                  n ->
                      !n.getId().equals(id)
                          && LayoutChanges.state(l, n.getId()) == NodeState.ACTIVE)
              .count();
      if (othersActive < l.getReplication()) {
        throw new MembershipRefused(
            MembershipRefused.Kind.UNSAFE,
            "cannot drain node "
                + id
                + ": the other "
                + othersActive
                + " active nodes cannot hold "
                + l.getReplication()
                + " replicas of every shard (cluster.replication); add a node first");
      }
      await(replicas.catalog().setNodeState(id, NodeState.DRAINING));
    }
    return LayoutChanges.state(replicas.catalog().layout(), id);
  }

  /** Removes {@code id} from the catalog; answers the shards that get a new replica. */
  public List<Integer> remove(String id, boolean dead) throws InterruptedException {
    ClusterLayout l = formed();
    known(l, id);
    List<Integer> held = new ArrayList<>();
    for (ShardReplicas s : l.getShardsList()) {
      if (LayoutChanges.holders(s).contains(id)) {
        held.add(s.getId());
      }
    }
    if (!held.isEmpty() && !dead) {
      throw new MembershipRefused(
          MembershipRefused.Kind.UNSAFE,
          "node "
              + id
              + " holds replicas of shards "
              + held
              + ": drain it first (raftlog nodes drain "
              + id
              + "), or remove it with --dead if it is gone for good");
    }
    if (l.getNodesCount() - 1 < 1) {
      throw new MembershipRefused(
          MembershipRefused.Kind.UNSAFE, "node " + id + " is the last node");
    }
    PeerId gone = peerId(id);
    await(replicas.catalog().removeNode(id, dead));
    awaitOutOfEveryGroup(id, gone, held);
    return held;
  }

  /** How long a removal waits for the node to leave every group's Raft configuration. */
  private static final long LEAVE_TIMEOUT_MS = 20_000;

  /**
   * Waits until the removed node is out of the meta group's configuration and of those of the
   * shards it held (the rounds take it out): only then may a node come back at its address as a new
   * member, to be caught up as one rather than counted as the voter it was.
   */
  private void awaitOutOfEveryGroup(String id, PeerId gone, List<Integer> held)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEAVE_TIMEOUT_MS);
    while (System.nanoTime() - until < 0) {
      boolean inMeta =
          replicas.catalog().replicas().stream().anyMatch(p -> p.id().equals(id))
              || java.util.Optional.ofNullable(replicas.catalog().member().learners())
                  .orElse(List.of())
                  .stream()
                  .anyMatch(p -> p.id().equals(id));
      boolean inShard = false;
      ClusterLayout l = replicas.catalog().layout();
      for (int shard : held) {
        ShardReplicas s = LayoutChanges.shard(l, shard);
        try {
          List<PeerId> peers =
              cli.getPeers(ReplicatedLog.groupId(shard), conf(s.getReplicasList()));
          inShard |= peers.contains(gone);
        } catch (RuntimeException e) {
          inShard = true;
        }
      }
      if (!inMeta && !inShard) {
        return;
      }
      Thread.sleep(200);
    }
    LOG.warn(
        "node {} is still in a group's configuration {} ms after its removal",
        id,
        LEAVE_TIMEOUT_MS);
  }

  /** Records a move asked by an operator. */
  public ReplicaMove move(int shard, String from, String to) throws InterruptedException {
    ClusterLayout l = formed();
    ShardReplicas s = LayoutChanges.shard(l, shard);
    if (s == null) {
      throw new MembershipRefused(
          MembershipRefused.Kind.UNKNOWN,
          "no shard " + shard + " (the cluster has " + l.getShardsCount() + ")");
    }
    known(l, from);
    NodeState toState = known(l, to);
    if (s.hasMove()) {
      throw new MembershipRefused(
          MembershipRefused.Kind.UNSAFE,
          "shard "
              + shard
              + " is already moving from node "
              + s.getMove().getFromNode()
              + " to node "
              + s.getMove().getToNode()
              + ": wait for it");
    }
    if (!s.getReplicasList().contains(from)) {
      throw new MembershipRefused(
          MembershipRefused.Kind.UNSAFE,
          "node "
              + from
              + " holds no replica of shard "
              + shard
              + " (its replicas: "
              + s.getReplicasList()
              + ")");
    }
    if (s.getReplicasList().contains(to)) {
      throw new MembershipRefused(
          MembershipRefused.Kind.UNSAFE,
          "node " + to + " already holds a replica of shard " + shard);
    }
    if (toState != NodeState.ACTIVE) {
      throw new MembershipRefused(
          MembershipRefused.Kind.UNSAFE,
          "node " + to + " is " + toState + ": it takes no replicas");
    }
    ReplicaMove m =
        ReplicaMove.newBuilder()
            .setFromNode(from)
            .setToNode(to)
            .setReason("operator")
            .setStartedMs(System.currentTimeMillis())
            .build();
    await(replicas.catalog().beginMove(shard, m));
    return m;
  }

  /** Hands a shard's leadership to {@code to}; answers the leader after, waiting up to 5 s. */
  public String transferShardLeader(int shard, String to) throws InterruptedException {
    ClusterLayout l = formed();
    ShardReplicas s = LayoutChanges.shard(l, shard);
    if (s == null) {
      throw new MembershipRefused(MembershipRefused.Kind.UNKNOWN, "no shard " + shard);
    }
    known(l, to);
    if (!s.getReplicasList().contains(to)) {
      throw new MembershipRefused(
          MembershipRefused.Kind.UNSAFE,
          "node "
              + to
              + " holds no replica of shard "
              + shard
              + " (its replicas: "
              + s.getReplicasList()
              + ")");
    }
    String group = ReplicatedLog.groupId(shard);
    Configuration conf = conf(s.getReplicasList());
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    boolean asked = false;
    while (System.nanoTime() - until < 0) {
      PeerId leader = new PeerId();
      if (cli.getLeader(group, conf, leader).isOk()) {
        Peer p = replicas.members().byRaftAddress(leader.getEndpoint().toString());
        if (p != null && p.id().equals(to)) {
          return to;
        }
        if (!asked) {
          Status st = cli.transferLeader(group, conf, peerId(to));
          asked = st.isOk();
          LOG.info(
              "shard {}: leadership handed from node {} to node {}: asked by an operator"
                  + " (TransferLeader): {}",
              shard,
              p == null ? leader.getEndpoint() : p.id(),
              to,
              st.isOk() ? "asked" : st.getErrorMsg());
        }
      }
      Thread.sleep(100);
    }
    throw new MembershipRefused(
        MembershipRefused.Kind.TIMED_OUT,
        "shard " + shard + "'s leadership did not move to node " + to + " within 5 s");
  }

  private ClusterLayout formed() {
    ClusterLayout l = replicas.catalog().layout();
    if (l == null) {
      throw new MembershipRefused(
          MembershipRefused.Kind.NOT_READY, "the cluster is not formed yet");
    }
    return l;
  }

  private static NodeState known(ClusterLayout l, String id) {
    NodeState s = LayoutChanges.state(l, id);
    if (s == null) {
      throw new MembershipRefused(
          MembershipRefused.Kind.UNKNOWN,
          "no node "
              + id
              + " in the cluster (its nodes: "
              + l.getNodesList().stream().map(NodeEntry::getId).toList()
              + ")");
    }
    return s;
  }

  private static <T> T await(CompletableFuture<T> f) throws InterruptedException {
    try {
      return f.get(WRITE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new MembershipRefused(
          MembershipRefused.Kind.NOT_READY,
          "the catalog did not take the change: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    cli.shutdown();
  }
}
