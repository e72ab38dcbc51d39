package io.raftlog.replication;

import com.alipay.sofa.jraft.Status;
import io.raftlog.api.v1.NodeState;
import io.raftlog.api.v1.ReplicaMove;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.CatalogEntry;
import io.raftlog.internal.v1.ClusterLayout;
import io.raftlog.internal.v1.NodeEntry;
import io.raftlog.internal.v1.NodeRemoval;
import io.raftlog.internal.v1.NodeStateChange;
import io.raftlog.internal.v1.ShardMove;
import io.raftlog.internal.v1.StreamSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * This node's replica of the meta group, which holds the catalog: the cluster's layout (nodes,
 * shards and their replicas, slot map) and the settings of streams that have some. Owned by {@link
 * Replicas}. Writes must be made on the meta group's leader; any replica reads.
 */
public final class Catalog implements AutoCloseable {
  static final String GROUP = "meta";

  private final CatalogStateMachine fsm;
  private final GroupMember member;
  private final GroupStats stats;

  /**
   * @param initial the layout this node derives from {@code cluster.peers} (a node that forms the
   *     cluster), written by the meta group's first leader; null for a node that joins
   * @param voters the meta group's first voters, {@code learners} its first learners (both empty
   *     for a node that joins: it waits for the leader to add it)
   */
  Catalog(
      NodeConfig config,
      Members members,
      List<Peer> voters,
      List<Peer> learners,
      Path dir,
      ClusterLayout initial,
      RoleListener roles,
      RaftTransport transport) {
    this.fsm = new CatalogStateMachine(initial);
    fsm.roleListener(roles);
    // The first leader writes the layout every node derived from its config, with a new cluster
    // id; a later leader proposes it again only if it has not seen it applied (harmless: the
    // first one wins).
    fsm.leadershipListener(
        leads -> {
          if (leads && fsm.layout() == null && initial != null) {
            propose(
                CatalogEntry.newBuilder()
                    .setForm(initial.toBuilder().setClusterId(UUID.randomUUID().toString()))
                    .build());
          }
        });
    this.member = new GroupMember(GROUP, config, members, voters, learners, dir, fsm, transport);
    this.stats =
        new GroupStats(GroupStats.META, member, fsm, null, members, config.get(ConfigKeys.NODE_ID));
  }

  /** What the metrics read of this node's member of the meta group. */
  public GroupStats stats() {
    return stats;
  }

  /** Told (on the meta group's apply thread) each time the layout changes, with the new one. */
  void layoutListener(Consumer<ClusterLayout> listener) {
    fsm.layoutListener(listener);
  }

  /** Registers a node (or updates its addresses); this node must lead the meta group. */
  public CompletableFuture<Void> addNode(NodeEntry node) {
    return propose(CatalogEntry.newBuilder().setAddNode(node).build());
  }

  /** Sets a node's standing; this node must lead the meta group. */
  public CompletableFuture<Void> setNodeState(String id, NodeState state) {
    return propose(
        CatalogEntry.newBuilder()
            .setSetNodeState(NodeStateChange.newBuilder().setNodeId(id).setState(state))
            .build());
  }

  /** Takes a node out of the catalog; this node must lead the meta group. */
  public CompletableFuture<Void> removeNode(String id, boolean dead) {
    return propose(
        CatalogEntry.newBuilder()
            .setRemoveNode(NodeRemoval.newBuilder().setNodeId(id).setDead(dead))
            .build());
  }

  /** Records the start of a move; this node must lead the meta group. */
  public CompletableFuture<Void> beginMove(int shard, ReplicaMove move) {
    return propose(
        CatalogEntry.newBuilder()
            .setBeginMove(ShardMove.newBuilder().setShard(shard).setMove(move))
            .build());
  }

  CompletableFuture<Void> endMove(int shard, ReplicaMove move) {
    return propose(
        CatalogEntry.newBuilder()
            .setEndMove(ShardMove.newBuilder().setShard(shard).setMove(move))
            .build());
  }

  CompletableFuture<Void> abortMove(int shard, ReplicaMove move) {
    return propose(
        CatalogEntry.newBuilder()
            .setAbortMove(ShardMove.newBuilder().setShard(shard).setMove(move))
            .build());
  }

  /**
   * The meta group's learners (nodes that follow the catalog without voting): as its leader knows
   * them, or, elsewhere, every registered node that does not vote.
   */
  public List<Peer> learners() {
    List<Peer> known = member.learners();
    if (known != null) {
      return known;
    }
    ClusterLayout l = layout();
    if (l == null) {
      return List.of();
    }
    List<String> voters = replicas().stream().map(Peer::id).toList();
    return l.getNodesList().stream()
        .filter(n -> !voters.contains(n.getId()))
        .map(n -> new Peer(n.getId(), n.getRaftAddress(), n.getClientAddress()))
        .toList();
  }

  /** The layout in the catalog, or null until the meta group's first leader has written it. */
  public ClusterLayout layout() {
    return fsm.layout();
  }

  /** A stream's settings as this replica has applied them; empty for a stream without any. */
  public Map<String, String> settings(String stream) {
    return fsm.settings(stream);
  }

  public int streamsWithSettings() {
    return fsm.streamsWithSettings();
  }

  /** Stores a stream's settings; this node must lead the meta group. */
  public CompletableFuture<Void> putSettings(String stream, Map<String, String> settings) {
    return propose(
        CatalogEntry.newBuilder()
            .setPutSettings(StreamSettings.newBuilder().setStream(stream).putAllSettings(settings))
            .build());
  }

  /** Forgets a stream's settings; this node must lead the meta group. */
  public CompletableFuture<Void> deleteSettings(String stream) {
    return propose(CatalogEntry.newBuilder().setDeleteSettings(stream).build());
  }

  /** Completes once this replica has applied every catalog entry committed before the call. */
  public CompletableFuture<Void> readBarrier() {
    return member.readBarrier();
  }

  public boolean isLeader() {
    return member.isLeader();
  }

  /** The meta group's leader, or null while none is known. */
  public Peer leader() {
    return member.leader();
  }

  /** The meta group's voters. */
  public List<Peer> replicas() {
    return member.replicas();
  }

  public RaftState state() {
    return member.state(fsm.term());
  }

  private CompletableFuture<Void> propose(CatalogEntry entry) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    member.propose(
        entry.toByteArray(),
        (Status st) -> {
          if (st.isOk()) {
            result.complete(null);
          } else {
            result.completeExceptionally(ReplicationException.ofAppend(st));
          }
        });
    return result;
  }

  GroupMember member() {
    return member;
  }

  void shutdown() {
    member.shutdown();
  }

  @Override
  public void close() throws InterruptedException {
    member.close();
  }
}
