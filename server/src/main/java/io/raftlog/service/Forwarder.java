package io.raftlog.service;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.wire.CallHeaders;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether a write stays on this node or goes one hop to the leader, and sends it there over
 * the node's {@link PeerChannels}, marked with {@link CallHeaders#FORWARDED_BY} so it is never
 * forwarded twice. Stateless; runs on the gRPC thread of the call it serves, and its futures
 * complete on gRPC's client threads.
 */
final class Forwarder {
  /** The deadline of a forwarded unary call whose client set none. */
  static final long FORWARD_DEFAULT_DEADLINE_MS = 30_000;

  private final NodeConfig config;
  private final ReplicatedLog raft;
  private final PeerChannels peers;

  Forwarder(NodeConfig config, ReplicatedLog raft, PeerChannels peers) {
    this.config = config;
    this.raft = raft;
    this.peers = peers;
  }

  /**
   * Null when this node leads; else the leader to forward to. Throws UNAVAILABLE when there is
   * none, or when the call was already forwarded once (a stale leader view: the client should
   * retry).
   */
  Peer leaderToForwardTo() {
    if (raft.isLeader()) {
      return null;
    }
    Peer leader = raft.leader();
    if (leader == null) {
      throw Errors.noLeader();
    }
    if (LeaderHeaders.isForwarded() || leader.id().equals(config.nodeId())) {
      throw Errors.notLeader(leader.clientAddress());
    }
    return leader;
  }

  /** Sends a produce one hop to the leader and relays its answer, status and all. */
  CompletableFuture<ProduceResponse> produce(Peer leader, ProduceRequest request) {
    CompletableFuture<ProduceResponse> result = new CompletableFuture<>();
    stub(leader, true)
        .produce(
            request,
            new StreamObserver<>() {
              @Override
              public void onNext(ProduceResponse r) {
                result.complete(r);
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(Errors.relayed(t, leader.clientAddress()));
              }

              @Override
              public void onCompleted() {}
            });
    return result;
  }

  /** Opens the one relay stream to the leader that a client's ProduceStream keeps. */
  ForwardedStream openStream(Peer leader) {
    return new ForwardedStream(stub(leader, false), leader.clientAddress());
  }

  /**
   * A stub for calls this node relays to the leader: marked as forwarded, and under the client's
   * deadline (gRPC carries it over), or a default one for unary calls that came without.
   */
  private LogGrpc.LogStub stub(Peer leader, boolean unary) {
    Metadata md = new Metadata();
    md.put(CallHeaders.FORWARDED_BY, config.nodeId());
    LogGrpc.LogStub stub =
        LogGrpc.newStub(peers.channel(leader.clientAddress()))
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    return unary && Context.current().getDeadline() == null
        ? stub.withDeadlineAfter(FORWARD_DEFAULT_DEADLINE_MS, TimeUnit.MILLISECONDS)
        : stub;
  }
}
