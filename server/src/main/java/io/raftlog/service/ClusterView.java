package io.raftlog.service;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Status;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ReplicaInfo;
import io.raftlog.api.v1.Role;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.auth.Caller;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.replication.Catalog;
import io.raftlog.replication.RaftState;
import io.raftlog.replication.Replicas;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.wire.HostPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Answers GetCluster: this node's replicas (meta group and shards), each peer's as the peer reports
 * them, each shard with its leader (and the leader's own indexes where it answered), and the slot
 * map. Each node reports its own HTTP address and traffic counters ({@link NodeTraffic}).
 */
final class ClusterView {
  private static final long PEER_TIMEOUT_MS = 1000;

  private final NodeConfig config;
  private final Replicas replicas;
  private final PeerChannels peers;
  private final NodeTraffic traffic;
  private final java.util.function.IntSupplier openConsumeStreams;

  ClusterView(
      NodeConfig config,
      Replicas replicas,
      PeerChannels peers,
      NodeTraffic traffic,
      java.util.function.IntSupplier openConsumeStreams) {
    this.config = config;
    this.replicas = replicas;
    this.peers = peers;
    this.traffic = traffic;
    this.openConsumeStreams = openConsumeStreams;
  }

  /**
   * host:port of this node's HTTP server ({@code http.port} on its client address's host), or "".
   */
  private String httpAddress() {
    int port = config.get(ConfigKeys.HTTP_PORT);
    return port == 0
        ? ""
        : new HostPort(HostPort.parse(config.self().clientAddress()).host(), port).toString();
  }

  /** What this node has served since it started; a client takes rates from two of these. */
  private io.raftlog.api.v1.NodeTraffic trafficNow() {
    return io.raftlog.api.v1.NodeTraffic.newBuilder()
        .setRecordsAppended(traffic.recordsAppended())
        .setBytesAppended(traffic.bytesAppended())
        .setRecordsRead(traffic.recordsRead())
        .setBytesRead(traffic.bytesRead())
        .setOpenConsumeStreams(openConsumeStreams.getAsInt())
        .setAtMs(System.currentTimeMillis())
        .build();
  }

  NodeInfo self() {
    Peer me = config.self();
    RaftState meta = replicas.catalog().state();
    NodeInfo.Builder b =
        NodeInfo.newBuilder()
            .setId(me.id())
            .setClientAddress(me.clientAddress())
            .setRaftAddress(me.raftAddress())
            .setRole(role(meta.role()))
            .setTerm(meta.term())
            .setCommitIndex(meta.commitIndex())
            .setAppliedIndex(meta.appliedIndex())
            .setHttpAddress(httpAddress())
            .setTraffic(trafficNow());
    String full = replicas.diskFullReason();
    if (full != null) {
      b.setError(full); // it answers, but takes no writes: `raftlog cluster` shows why
    }
    for (Map.Entry<Integer, ReplicatedLog> e : replicas.localShards().entrySet()) {
      RaftState s = e.getValue().state();
      b.addReplicas(
          ReplicaInfo.newBuilder()
              .setShard(e.getKey())
              .setRole(role(s.role()))
              .setTerm(s.term())
              .setCommitIndex(s.commitIndex())
              .setAppliedIndex(s.appliedIndex())
              .setSnapshotsInstalled(e.getValue().snapshotsInstalled()));
    }
    return b.build();
  }

  CompletableFuture<GetClusterResponse> describe(boolean localOnly) {
    List<CompletableFuture<NodeInfo>> infos = new ArrayList<>();
    for (Peer p : replicas.members().all().values()) {
      infos.add(
          p.id().equals(config.get(ConfigKeys.NODE_ID)) || localOnly
              ? CompletableFuture.completedFuture(
                  p.id().equals(config.get(ConfigKeys.NODE_ID)) ? self() : null)
              : askPeer(p));
    }
    return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              List<NodeInfo> nodes = infos.stream().map(CompletableFuture::join).toList();
              return answer(nodes.stream().filter(n -> n != null).toList());
            });
  }

  /** The cluster as this node alone knows it (no peer asked). */
  GetClusterResponse local(io.raftlog.api.v1.GetClusterRequest request) {
    return answer(List.of(self()));
  }

  private GetClusterResponse answer(List<NodeInfo> answered) {
    Catalog catalog = replicas.catalog();
    Peer metaLeader = catalog.leader();
    List<String> metaVoters = catalog.replicas().stream().map(Peer::id).toList();
    // Each node's standing, replicas and leaderships from the catalog and the leaders known here.
    Map<String, Integer> placed = new java.util.HashMap<>();
    Map<String, Integer> leads = new java.util.HashMap<>();
    for (int shard = 0; shard < replicas.shardCount(); shard++) {
      replicas.replicasOf(shard).forEach(p -> placed.merge(p.id(), 1, Integer::sum));
      io.raftlog.api.v1.ReplicaMove m = replicas.moveOf(shard);
      if (m != null) {
        placed.merge(m.getToNode(), 1, Integer::sum);
      }
      String leader = shardLeader(shard, answered);
      if (!leader.isEmpty()) {
        leads.merge(leader, 1, Integer::sum);
      }
    }
    List<NodeInfo> nodes = new ArrayList<>();
    for (NodeInfo n : answered) {
      io.raftlog.api.v1.NodeState state = replicas.stateOf(n.getId());
      nodes.add(
          n.toBuilder()
              .setState(state == null ? io.raftlog.api.v1.NodeState.NODE_STATE_UNKNOWN : state)
              .setReplicaCount(placed.getOrDefault(n.getId(), 0))
              .setLeaderCount(leads.getOrDefault(n.getId(), 0))
              .setMetaVoter(metaVoters.contains(n.getId()))
              .build());
    }
    GetClusterResponse.Builder b =
        GetClusterResponse.newBuilder()
            .addAllNodes(nodes)
            .setClusterId(replicas.clusterId())
            .setReplication(replicas.replication())
            .setLeaderId(metaLeader == null ? "" : metaLeader.id())
            .setSlotCount(replicas.slots().slotCount())
            .addAllSlots(replicas.slots().ranges());
    RaftState metaState = catalog.state();
    b.setMeta(
        ShardInfo.newBuilder()
            .addAllReplicas(metaVoters)
            .addAllLearners(catalog.learners().stream().map(Peer::id).toList())
            .setLeaderId(metaLeader == null ? "" : metaLeader.id())
            .setTerm(metaState.term())
            .setCommitIndex(metaState.commitIndex())
            .setAppliedIndex(metaState.appliedIndex()));
    for (int shard = 0; shard < replicas.shardCount(); shard++) {
      ShardInfo.Builder s =
          ShardInfo.newBuilder()
              .setId(shard)
              .addAllReplicas(replicas.replicasOf(shard).stream().map(Peer::id).toList());
      io.raftlog.api.v1.ReplicaMove move = replicas.moveOf(shard);
      if (move != null) {
        s.setMove(move);
      }
      ReplicatedLog local = replicas.local(shard);
      String leaderId = shardLeader(shard, nodes);
      Peer leader = leaderId.isEmpty() ? null : replicas.members().byId(leaderId);
      s.setLeaderId(leaderId);
      ReplicaInfo best = local == null ? null : replicaInfo(self(), shard);
      if (leader != null) {
        NodeInfo leaderNode =
            nodes.stream().filter(n -> n.getId().equals(leader.id())).findFirst().orElse(null);
        ReplicaInfo fromLeader = leaderNode == null ? null : replicaInfo(leaderNode, shard);
        best = fromLeader != null ? fromLeader : best;
      }
      if (best != null) {
        s.setTerm(best.getTerm())
            .setCommitIndex(best.getCommitIndex())
            .setAppliedIndex(best.getAppliedIndex());
      }
      b.addShards(s);
    }
    return b.build();
  }

  /**
   * A shard's leader: as this node's replica knows it, or (a node without a replica) the node that
   * answered as its leader; empty when neither knows.
   */
  private String shardLeader(int shard, List<NodeInfo> answered) {
    ReplicatedLog local = replicas.local(shard);
    if (local != null) {
      Peer p = local.leader();
      return p == null ? "" : p.id();
    }
    for (NodeInfo n : answered) {
      ReplicaInfo r = replicaInfo(n, shard);
      if (r != null && r.getRole() == Role.LEADER) {
        return n.getId();
      }
    }
    return "";
  }

  private static ReplicaInfo replicaInfo(NodeInfo node, int shard) {
    return node.getReplicasList().stream()
        .filter(r -> r.getShard() == shard)
        .findFirst()
        .orElse(null);
  }

  private static Role role(RaftState.Role r) {
    return switch (r) {
      case LEADER -> Role.LEADER;
      case FOLLOWER -> Role.FOLLOWER;
      case CANDIDATE -> Role.CANDIDATE;
      case OTHER -> Role.OTHER;
    };
  }

  private CompletableFuture<NodeInfo> askPeer(Peer p) {
    CompletableFuture<NodeInfo> result = new CompletableFuture<>();
    ListenableFuture<GetClusterResponse> call =
        Caller.onBehalf(LogGrpc.newFutureStub(peers.channel(p.clientAddress())))
            .withDeadlineAfter(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build());
    Futures.addCallback(
        call,
        new FutureCallback<>() {
          @Override
          public void onSuccess(GetClusterResponse r) {
            result.complete(r.getNodesCount() == 1 ? r.getNodes(0) : unreachable(p, "bad answer"));
          }

          @Override
          public void onFailure(Throwable t) {
            Status s = Status.fromThrowable(t);
            result.complete(
                unreachable(
                    p,
                    s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription())));
          }
        },
        MoreExecutors.directExecutor());
    return result;
  }

  private static NodeInfo unreachable(Peer p, String why) {
    return NodeInfo.newBuilder()
        .setId(p.id())
        .setClientAddress(p.clientAddress())
        .setRaftAddress(p.raftAddress())
        .setRole(Role.UNREACHABLE)
        .setError(why)
        .build();
  }
}
