package io.raftlog.service;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.auth.Caller;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.replication.Catalog;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.wire.CallHeaders;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Decides whether a call stays on this node or goes one hop to the leader of the group it concerns
 * (a shard, or the meta group), and sends it there over the node's {@link PeerChannels}, marked
 * with {@link CallHeaders#FORWARDED_BY} so it is never forwarded again by a node that does not lead
 * (but for a write forwarded by a node that holds no replica of the shard: one more hop).
 * Stateless; runs on the gRPC thread of the call it serves, and its futures complete on gRPC's
 * client threads.
 */
final class Forwarder {
  /** The shard argument of a call about no shard (the meta group's, or several shards'). */
  static final int META = -1;

  /** The deadline of a forwarded unary call whose client set none. */
  static final long FORWARD_DEFAULT_DEADLINE_MS = 30_000;

  /** One unary method of the Log service, called on an async stub. */
  @FunctionalInterface
  interface UnaryMethod<Q, R> {
    void call(LogGrpc.LogStub stub, Q request, StreamObserver<R> response);
  }

  private final NodeConfig config;
  private final Routes routes;
  private final PeerChannels peers;
  private final NodeTraffic traffic;

  Forwarder(NodeConfig config, Routes routes, PeerChannels peers, NodeTraffic traffic) {
    this.config = config;
    this.routes = routes;
    this.peers = peers;
    this.traffic = traffic;
  }

  /**
   * Null when this node leads {@code shard}; else the node to forward to: the leader, or (when this
   * node holds no replica of the shard) the leader a replica last named, else a replica. Throws
   * UNAVAILABLE when no leader is known, or when the call was already forwarded by a replica (a
   * stale leader view: the client should retry). A replica takes a call forwarded by a node that
   * holds none (which may not know the leader) one hop further: at most two hops, never a loop.
   */
  Peer leaderToForwardTo(int shard) {
    ReplicatedLog local = routes.local(shard);
    if (local == null) {
      if (LeaderHeaders.isForwarded()) {
        throw Errors.notReplica(shard, routes.replicasOf(shard));
      }
      return replicaOf(shard);
    }
    if (local.isLeader()) {
      return null;
    }
    return checkedTarget(local.leader(), LeaderHeaders.isForwarded() && !byNonReplica(shard));
  }

  /**
   * Whether this call was forwarded by a node of the cluster that holds no replica of {@code shard}
   * (an unknown id, e.g. an outside client's, counts as a replica: its call goes no further).
   */
  private boolean byNonReplica(int shard) {
    String by = LeaderHeaders.forwardedBy();
    return by != null
        && routes.replicas().members().byId(by) != null
        && routes.replicasOf(shard).stream().noneMatch(p -> p.id().equals(by));
  }

  /**
   * Runs a write to one shard where it belongs: {@code here} on this node when it leads the shard,
   * else the call forwarded one hop to the leader, its answer relayed.
   */
  <Q, R> CompletableFuture<R> toShardLeader(
      int shard, Q request, UnaryMethod<Q, R> method, Supplier<CompletableFuture<R>> here) {
    Peer leader = leaderToForwardTo(shard);
    return leader == null ? here.get() : unary(shard, leader, request, method);
  }

  /**
   * For a shard this node holds no replica of: the leader a replica last named, else a replica
   * (which names the leader in its answer).
   */
  private Peer replicaOf(int shard) {
    List<Peer> targets = routes.readTargets(shard);
    if (targets.isEmpty()) {
      throw Errors.notReplica(shard, routes.replicasOf(shard));
    }
    return targets.get(0);
  }

  /** Null when this node leads the meta group; else its leader, as for a shard. */
  Peer metaLeaderToForwardTo() {
    Catalog catalog = routes.catalog();
    if (catalog.isLeader()) {
      return null;
    }
    return checkedTarget(catalog.leader(), LeaderHeaders.isForwarded());
  }

  private Peer checkedTarget(Peer leader, boolean forwardedOnce) {
    if (leader == null) {
      throw Errors.noLeader();
    }
    if (forwardedOnce || leader.id().equals(config.get(ConfigKeys.NODE_ID))) {
      throw Errors.notLeader(leader.clientAddress());
    }
    return leader;
  }

  /**
   * The shard leader for the shard part of a call this node (the meta leader) relays after its
   * catalog part: null when this node leads the shard. Such a relay may be a second hop.
   */
  Peer shardLeaderAfterCatalog(int shard) {
    ReplicatedLog local = routes.local(shard);
    if (local != null && local.isLeader()) {
      return null;
    }
    Peer leader = local == null ? replicaOf(shard) : local.leader();
    if (leader == null) {
      throw Errors.noLeader();
    }
    return leader;
  }

  /**
   * Sends a unary call about {@code shard} ({@link #META} for the meta group) one hop to {@code
   * leader} and relays its answer, status and all; the leader the answer names is remembered
   * ({@link LeaderLearner}).
   */
  <Q, R> CompletableFuture<R> unary(int shard, Peer leader, Q request, UnaryMethod<Q, R> method) {
    return unary(shard, leader, request, method, false);
  }

  /** As {@link #unary(int, Peer, Object, UnaryMethod)}, for a call about the meta group. */
  <Q, R> CompletableFuture<R> unary(Peer leader, Q request, UnaryMethod<Q, R> method) {
    return unary(META, leader, request, method, false);
  }

  /**
   * As {@link #unary(int, Peer, Object, UnaryMethod)}, marked as having had its catalog part done.
   */
  <Q, R> CompletableFuture<R> unaryAfterCatalog(
      int shard, Peer leader, Q request, UnaryMethod<Q, R> method) {
    return unary(shard, leader, request, method, true);
  }

  private <Q, R> CompletableFuture<R> unary(
      int shard, Peer leader, Q request, UnaryMethod<Q, R> method, boolean catalogDone) {
    CompletableFuture<R> result = new CompletableFuture<>();
    LogGrpc.LogStub stub = stub(leader, shard, true);
    if (catalogDone) {
      Metadata md = new Metadata();
      md.put(CallHeaders.CATALOG_DONE, "1");
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }
    method.call(
        stub,
        request,
        new StreamObserver<>() {
          @Override
          public void onNext(R r) {
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

  /** Opens the one relay stream to a leader that a client's ProduceStream keeps per leader. */
  ForwardedStream openStream(Peer leader) {
    return new ForwardedStream(stub(leader, META, false), leader.clientAddress());
  }

  /**
   * A stub for calls this node relays: marked as forwarded and with the client's principal ({@link
   * Caller#onBehalf}: the node that serves it authorizes the client), learning the leader of {@code
   * shard} from the answer (unless {@link #META}), and under the client's deadline (gRPC carries it
   * over), or a default one for unary calls that came without.
   */
  LogGrpc.LogStub stub(Peer leader, int shard, boolean unary) {
    traffic.forwarded(); // every relayed call, unary or stream, makes its stub here
    Metadata md = new Metadata();
    md.put(CallHeaders.FORWARDED_BY, config.get(ConfigKeys.NODE_ID));
    LogGrpc.LogStub stub =
        Caller.onBehalf(LogGrpc.newStub(peers.channel(leader.clientAddress())))
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    if (shard != META) {
      stub = stub.withInterceptors(new LeaderLearner(routes, shard));
    }
    return unary && Context.current().getDeadline() == null
        ? stub.withDeadlineAfter(FORWARD_DEFAULT_DEADLINE_MS, TimeUnit.MILLISECONDS)
        : stub;
  }
}
