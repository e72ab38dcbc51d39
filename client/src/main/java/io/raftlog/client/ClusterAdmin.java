package io.raftlog.client;

import io.raftlog.api.v1.DrainNodeRequest;
import io.raftlog.api.v1.MoveReplicaRequest;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.RemoveNodeRequest;
import io.raftlog.api.v1.RemoveNodeResponse;
import io.raftlog.api.v1.ReplicaMove;
import io.raftlog.api.v1.TransferLeaderRequest;
import java.util.Objects;

/**
 * The cluster's membership calls, for operators: drain and remove a node, move a shard's replica,
 * hand a group's leadership over. Reached through {@link RaftlogClient#admin()}; one per client,
 * which owns it. It holds no state of its own: each call is one request through the client's {@code
 * UnaryCalls} (any healthy node answers; the catalog part runs on the meta group's leader), on and
 * blocking the caller's thread, retried through failover like every unary call.
 *
 * <p>Drain and move answer once the request is recorded; the work goes on in the cluster, and
 * {@link RaftlogClient#cluster()} shows its progress ({@code NodeInfo.state} and {@code
 * replica_count}, {@code ShardInfo.move}). A retry after a lost answer may meet the first attempt's
 * effect: each method says how.
 */
public final class ClusterAdmin {
  private final UnaryCalls calls;

  ClusterAdmin(UnaryCalls calls) {
    this.calls = calls;
  }

  /**
   * Starts moving every replica and leadership off node {@code nodeId}; answers at once with its
   * entry (state {@code DRAINING}, or {@code DRAINED} if it held nothing).
   *
   * @throws RaftlogException {@code NOT_FOUND} for an unknown node; {@code FAILED_PRECONDITION}
   *     when the other nodes could not hold every shard's replicas
   */
  public NodeInfo drainNode(String nodeId) {
    DrainNodeRequest request = DrainNodeRequest.newBuilder().setNodeId(check(nodeId)).build();
    return calls
        .call("drain node " + nodeId, null, true, stub -> stub.drainNode(request))
        .getNode();
  }

  /**
   * Takes node {@code nodeId} out of the catalog. Without {@code dead} it must hold no replica
   * (drain it first); with {@code dead} (the node is gone for good) every shard it held gets a new
   * replica on the other nodes: the answer lists those shards.
   *
   * @throws RaftlogException {@code FAILED_PRECONDITION} while it holds replicas and not {@code
   *     dead}; {@code NOT_FOUND} for an unknown node (also when an attempt that timed out had
   *     removed it and a retry found it gone)
   */
  public RemoveNodeResponse removeNode(String nodeId, boolean dead) {
    RemoveNodeRequest request =
        RemoveNodeRequest.newBuilder().setNodeId(check(nodeId)).setDead(dead).build();
    return calls.call("remove node " + nodeId, null, true, stub -> stub.removeNode(request));
  }

  /**
   * Moves shard {@code shard}'s replica from node {@code from} to node {@code to}; answers the move
   * once it is recorded (the new replica catches up, then votes, then the old one leaves).
   *
   * @throws RaftlogException {@code FAILED_PRECONDITION} while another move of the shard runs (also
   *     this one, when an attempt that timed out had recorded it), or when {@code to} holds the
   *     shard already or drains; {@code NOT_FOUND} for an unknown shard or node
   */
  public ReplicaMove moveReplica(int shard, String from, String to) {
    if (shard < 0) {
      throw new IllegalArgumentException("shard ids are >= 0, not " + shard);
    }
    MoveReplicaRequest request =
        MoveReplicaRequest.newBuilder()
            .setShard(shard)
            .setFromNode(check(from))
            .setToNode(check(to))
            .build();
    return calls
        .call(
            "move shard " + shard + " from node " + from + " to node " + to,
            null,
            true,
            stub -> stub.moveReplica(request))
        .getMove();
  }

  /**
   * Hands shard {@code shard}'s leadership to its replica on node {@code to}; answers the shard's
   * leader once it has moved (a retry finds it moved: harmless).
   *
   * @throws RaftlogException {@code NOT_FOUND} for an unknown shard or node, {@code
   *     FAILED_PRECONDITION} if {@code to} holds no replica of it, {@code DEADLINE_EXCEEDED} if it
   *     did not move in time
   */
  public String transferLeader(int shard, String to) {
    if (shard < 0) {
      throw new IllegalArgumentException("shard ids are >= 0, not " + shard);
    }
    TransferLeaderRequest request =
        TransferLeaderRequest.newBuilder().setShard(shard).setToNode(check(to)).build();
    return transfer("transfer shard " + shard + "'s leadership to node " + to, request);
  }

  /** As {@link #transferLeader(int, String)}, for the meta group (a voter of it takes it). */
  public String transferMetaLeader(String to) {
    TransferLeaderRequest request =
        TransferLeaderRequest.newBuilder().setMeta(true).setToNode(check(to)).build();
    return transfer("transfer the meta group's leadership to node " + to, request);
  }

  private String transfer(String what, TransferLeaderRequest request) {
    return calls.call(what, null, true, stub -> stub.transferLeader(request)).getLeaderId();
  }

  private static String check(String nodeId) {
    if (Objects.requireNonNull(nodeId, "node id").isBlank()) {
      throw new IllegalArgumentException("the node id is empty");
    }
    return nodeId;
  }
}
