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
import io.raftlog.api.v1.Role;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.replication.RaftState;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.storage.RocksLogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Answers GetCluster: this node's own state, plus each peer's as the peer reports it. */
final class ClusterView {
  private static final long PEER_TIMEOUT_MS = 1000;

  private final NodeConfig config;
  private final ReplicatedLog raft;
  private final RocksLogStore store;
  private final PeerChannels peers;

  ClusterView(NodeConfig config, ReplicatedLog raft, RocksLogStore store, PeerChannels peers) {
    this.config = config;
    this.raft = raft;
    this.store = store;
    this.peers = peers;
  }

  NodeInfo self() {
    Peer me = config.self();
    RaftState s = raft.state();
    return NodeInfo.newBuilder()
        .setId(me.id())
        .setClientAddress(me.clientAddress())
        .setRaftAddress(me.raftAddress())
        .setRole(
            switch (s.role()) {
              case LEADER -> Role.LEADER;
              case FOLLOWER -> Role.FOLLOWER;
              case CANDIDATE -> Role.CANDIDATE;
              case OTHER -> Role.OTHER;
            })
        .setTerm(s.term())
        .setCommitIndex(s.commitIndex())
        .setAppliedIndex(s.appliedIndex())
        .setFirstOffset(0)
        .setNextOffset(store.nextOffset(io.raftlog.wire.StreamNames.DEFAULT))
        .build();
  }

  CompletableFuture<GetClusterResponse> describe(boolean localOnly) {
    Peer leader = raft.leader();
    String leaderId = leader == null ? "" : leader.id();
    if (localOnly) {
      return CompletableFuture.completedFuture(
          GetClusterResponse.newBuilder().addNodes(self()).setLeaderId(leaderId).build());
    }
    List<CompletableFuture<NodeInfo>> infos = new ArrayList<>();
    for (Peer p : config.peers()) {
      infos.add(
          p.id().equals(config.nodeId()) ? CompletableFuture.completedFuture(self()) : askPeer(p));
    }
    return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              GetClusterResponse.Builder b = GetClusterResponse.newBuilder().setLeaderId(leaderId);
              infos.forEach(f -> b.addNodes(f.join()));
              return b.build();
            });
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
