package io.raftlog.service;

import io.raftlog.api.v1.DrainNodeRequest;
import io.raftlog.api.v1.DrainNodeResponse;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.JoinClusterRequest;
import io.raftlog.api.v1.JoinClusterResponse;
import io.raftlog.api.v1.MoveReplicaRequest;
import io.raftlog.api.v1.MoveReplicaResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.NodeState;
import io.raftlog.api.v1.RemoveNodeRequest;
import io.raftlog.api.v1.RemoveNodeResponse;
import io.raftlog.api.v1.TransferLeaderRequest;
import io.raftlog.api.v1.TransferLeaderResponse;
import io.raftlog.config.Peer;
import io.raftlog.replication.MembershipRefused;
import io.raftlog.replication.MovePlanner;
import io.raftlog.replication.Replicas;
import io.raftlog.wire.HostPort;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * JoinCluster, DrainNode, RemoveNode, MoveReplica and TransferLeader: each checked and recorded by
 * the meta group's leader ({@link MovePlanner}), where a call is forwarded if it lands elsewhere;
 * the planner carries the change out afterwards, and GetCluster shows its progress. The planner's
 * calls block (catalog writes, a leader transfer's wait), so they run on {@code blocking}, not on
 * gRPC's threads.
 */
final class MembershipCalls {
  private final Replicas replicas;
  private final Forwarder forwarder;
  private final ClusterView cluster;
  private final Executor blocking;

  MembershipCalls(Replicas replicas, Forwarder forwarder, ClusterView cluster, Executor blocking) {
    this.replicas = replicas;
    this.forwarder = forwarder;
    this.cluster = cluster;
    this.blocking = blocking;
  }

  CompletableFuture<JoinClusterResponse> join(JoinClusterRequest request) {
    String id = request.getNodeId();
    if (id.isBlank()) {
      throw Errors.invalid("node_id is empty");
    }
    String raft = address("raft_address", request.getRaftAddress());
    String client = address("client_address", request.getClientAddress());
    // A check registers nothing: any node answers it from its replica of the catalog (a node
    // checks in long before it could come back wiped), even while the meta group elects.
    Peer leader = request.getCheckOnly() ? null : forwarder.metaLeaderToForwardTo();
    if (leader != null) {
      return forwarder.unary(leader, request, (stub, r, out) -> stub.joinCluster(r, out));
    }
    return onPlanner(
        planner -> {
          String clusterId = replicas.clusterId();
          if (clusterId.isEmpty()) {
            throw new MembershipRefused(
                MembershipRefused.Kind.NOT_READY, "the cluster is not formed yet");
          }
          if (!request.getClusterId().isEmpty() && !request.getClusterId().equals(clusterId)) {
            throw new MembershipRefused(
                MembershipRefused.Kind.UNSAFE,
                "node "
                    + id
                    + "'s data belongs to cluster "
                    + request.getClusterId()
                    + ", not to this one ("
                    + clusterId
                    + "): give it an empty data directory to join this cluster");
          }
          Peer known = replicas.members().byId(id);
          boolean registered = replicas.stateOf(id) != null;
          if (registered && request.getClusterId().isEmpty() && replicas.checkedIn(id)) {
            throw new MembershipRefused(
                MembershipRefused.Kind.UNSAFE,
                "node "
                    + id
                    + " is a member of this cluster but came back with an empty data directory:"
                    + " its replicas are lost. Remove it first (raftlog nodes remove "
                    + id
                    + " --dead), then start it again to join as a new member (or give it a new"
                    + " node.id)");
          }
          if (registered
              && (!known.raftAddress().equals(raft) || !known.clientAddress().equals(client))) {
            throw new MembershipRefused(
                MembershipRefused.Kind.UNSAFE,
                "node "
                    + id
                    + " is registered at "
                    + known.clientAddress()
                    + " (raft "
                    + known.raftAddress()
                    + "); it cannot come back at other addresses");
          }
          // A new node joins; it checks in once it has kept the cluster id in its data (a retry
          // of its join before then, which carries no id yet, is not a wiped member coming back).
          boolean checkIn = !request.getClusterId().isEmpty() && !replicas.checkedIn(id);
          if (!request.getCheckOnly() && (!registered || checkIn)) {
            planner.join(id, raft, client, checkIn);
          }
          return JoinClusterResponse.newBuilder()
              .setClusterId(clusterId)
              .setRegistered(registered || !request.getCheckOnly())
              .setCluster(cluster.local(GetClusterRequest.getDefaultInstance()))
              .build();
        });
  }

  CompletableFuture<DrainNodeResponse> drain(DrainNodeRequest request) {
    Peer leader = forwarder.metaLeaderToForwardTo();
    if (leader != null) {
      return forwarder.unary(leader, request, (stub, r, out) -> stub.drainNode(r, out));
    }
    return onPlanner(
        planner -> {
          NodeState state = planner.drain(request.getNodeId());
          Peer n = replicas.members().byId(request.getNodeId());
          return DrainNodeResponse.newBuilder()
              .setNode(
                  NodeInfo.newBuilder()
                      .setId(n.id())
                      .setClientAddress(n.clientAddress())
                      .setRaftAddress(n.raftAddress())
                      .setState(state))
              .build();
        });
  }

  CompletableFuture<RemoveNodeResponse> remove(RemoveNodeRequest request) {
    Peer leader = forwarder.metaLeaderToForwardTo();
    if (leader != null) {
      return forwarder.unary(leader, request, (stub, r, out) -> stub.removeNode(r, out));
    }
    return onPlanner(
        planner ->
            RemoveNodeResponse.newBuilder()
                .addAllShardsToRepair(planner.remove(request.getNodeId(), request.getDead()))
                .build());
  }

  CompletableFuture<MoveReplicaResponse> move(MoveReplicaRequest request) {
    Peer leader = forwarder.metaLeaderToForwardTo();
    if (leader != null) {
      return forwarder.unary(leader, request, (stub, r, out) -> stub.moveReplica(r, out));
    }
    return onPlanner(
        planner ->
            MoveReplicaResponse.newBuilder()
                .setMove(
                    planner.move(request.getShard(), request.getFromNode(), request.getToNode()))
                .build());
  }

  CompletableFuture<TransferLeaderResponse> transferLeader(TransferLeaderRequest request) {
    if (request.getMeta()) {
      // Only the meta group's leader can hand its leadership over.
      Peer leader = forwarder.metaLeaderToForwardTo();
      if (leader != null) {
        return forwarder.unary(leader, request, (stub, r, out) -> stub.transferLeader(r, out));
      }
      return onPlanner(
          planner ->
              TransferLeaderResponse.newBuilder()
                  .setLeaderId(planner.transferMetaLeader(request.getToNode()))
                  .build());
    }
    return onPlanner(
        planner ->
            TransferLeaderResponse.newBuilder()
                .setLeaderId(planner.transferShardLeader(request.getShard(), request.getToNode()))
                .build());
  }

  private static String address(String field, String value) {
    try {
      return HostPort.check(value);
    } catch (IllegalArgumentException e) {
      throw Errors.invalid(field + ": " + e.getMessage());
    }
  }

  /** A planner call, blocking, run off gRPC's threads. */
  @FunctionalInterface
  private interface PlannerCall<R> {
    R call(MovePlanner planner) throws InterruptedException;
  }

  private <R> CompletableFuture<R> onPlanner(PlannerCall<R> call) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return call.call(replicas.planner());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MembershipRefused(MembershipRefused.Kind.NOT_READY, "interrupted");
          }
        },
        blocking);
  }
}
