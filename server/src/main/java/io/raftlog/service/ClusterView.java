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
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.replication.Catalog;
import io.raftlog.replication.RaftState;
import io.raftlog.replication.Replicas;
import io.raftlog.replication.ReplicatedLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Answers GetCluster, the same from any node: this node's replicas (meta group and shards), each
 * other node's as it reports them, each shard with its replicas and leader (also for shards this
 * node holds no replica of: from the replicas' reports) and the leader's own indexes where it
 * answered, each node's count of replicas and leaderships, and the slot map. Called on gRPC's
 * threads; the answer is put together on gRPC's client threads.
 */
final class ClusterView {
  private static final long PEER_TIMEOUT_MS = 1000;

  private final NodeConfig config;
  private final Routes routes;
  private final Replicas replicas;
  private final PeerChannels peers;

  ClusterView(NodeConfig config, Routes routes, PeerChannels peers) {
    this.config = config;
    this.routes = routes;
    this.replicas = routes.replicas();
    this.peers = peers;
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
            .setAppliedIndex(meta.appliedIndex());
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
    String me = config.get(ConfigKeys.NODE_ID);
    List<CompletableFuture<NodeInfo>> infos = new ArrayList<>();
    for (Peer p : members()) {
      if (p.id().equals(me)) {
        infos.add(CompletableFuture.completedFuture(self()));
      } else if (!localOnly) {
        infos.add(askPeer(p));
      }
    }
    return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new))
        .thenApply(done -> answer(infos.stream().map(CompletableFuture::join).toList()));
  }

  /** The cluster's nodes, in id order. */
  private List<Peer> members() {
    return config.get(ConfigKeys.CLUSTER_PEERS);
  }

  private GetClusterResponse answer(List<NodeInfo> nodes) {
    Catalog catalog = replicas.catalog();
    Peer metaLeader = catalog.leader();
    GetClusterResponse.Builder b =
        GetClusterResponse.newBuilder()
            .setLeaderId(metaLeader == null ? "" : metaLeader.id())
            .setSlotCount(replicas.slots().slotCount())
            .addAllSlots(replicas.slots().ranges())
            .setReplication(config.effectiveReplication());
    RaftState metaState = catalog.state();
    b.setMeta(
        ShardInfo.newBuilder()
            .addAllReplicas(catalog.replicas().stream().map(Peer::id).toList())
            .setLeaderId(metaLeader == null ? "" : metaLeader.id())
            .setTerm(metaState.term())
            .setCommitIndex(metaState.commitIndex())
            .setAppliedIndex(metaState.appliedIndex()));
    Map<String, int[]> counts = new HashMap<>(); // node id -> {replicas, leaderships}
    for (int shard = 0; shard < replicas.shardCount(); shard++) {
      ShardInfo s = shard(shard, nodes);
      for (String id : s.getReplicasList()) {
        counts.computeIfAbsent(id, k -> new int[2])[0]++;
      }
      if (!s.getLeaderId().isEmpty()) {
        counts.computeIfAbsent(s.getLeaderId(), k -> new int[2])[1]++;
      }
      b.addShards(s);
    }
    for (NodeInfo n : nodes) {
      int[] c = counts.getOrDefault(n.getId(), new int[2]);
      b.addNodes(n.toBuilder().setReplicaCount(c[0]).setLeaderCount(c[1]));
    }
    return b.build();
  }

  /**
   * One shard: its replicas, its leader (this node's replica's view; for a shard it holds none of,
   * the replica that reports leading it in the highest term, else the leader a replica last named),
   * and the indexes the leader reported (else this node's replica's, else the most advanced
   * replica's).
   */
  private ShardInfo shard(int shard, List<NodeInfo> nodes) {
    ShardInfo.Builder s =
        ShardInfo.newBuilder()
            .setId(shard)
            .addAllReplicas(replicas.replicasOf(shard).stream().map(Peer::id).toList());
    ReplicatedLog local = replicas.local(shard);
    String leaderId;
    ReplicaInfo best;
    if (local != null) {
      Peer leader = local.leader();
      leaderId = leader == null ? "" : leader.id();
      best = replicaInfo(self(), shard);
    } else {
      NodeInfo claims = null;
      best = null;
      for (NodeInfo n : nodes) {
        ReplicaInfo r = replicaInfo(n, shard);
        if (r != null && (best == null || r.getTerm() > best.getTerm())) {
          best = r;
        }
        if (r != null
            && r.getRole() == Role.LEADER
            && (claims == null || r.getTerm() > replicaInfo(claims, shard).getTerm())) {
          claims = n;
        }
      }
      Peer learned = routes.leaderOf(shard);
      leaderId = claims != null ? claims.getId() : learned == null ? "" : learned.id();
    }
    s.setLeaderId(leaderId);
    NodeInfo leaderNode =
        nodes.stream().filter(n -> n.getId().equals(leaderId)).findFirst().orElse(null);
    ReplicaInfo fromLeader = leaderNode == null ? null : replicaInfo(leaderNode, shard);
    best = fromLeader != null ? fromLeader : best;
    if (best != null) {
      s.setTerm(best.getTerm())
          .setCommitIndex(best.getCommitIndex())
          .setAppliedIndex(best.getAppliedIndex());
    }
    return s.build();
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
        LogGrpc.newFutureStub(peers.channel(p.clientAddress()))
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
