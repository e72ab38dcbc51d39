package io.raftlog.cli;

import io.grpc.Status;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.client.RaftlogException;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The node and shard ids of one answer of {@code GetCluster}, checked before a membership call: an
 * id the cluster does not have is refused here ({@code NOT_FOUND}, exit code 4) with the ids it
 * does have, without asking the meta group's leader. The server checks again; this only makes the
 * common typo cheap and its message precise. Stateless.
 */
final class KnownIds {
  private KnownIds() {}

  /** Node {@code id} of {@code cluster}, if it has one. */
  static Optional<NodeInfo> findNode(GetClusterResponse cluster, String id) {
    return cluster.getNodesList().stream().filter(n -> n.getId().equals(id)).findFirst();
  }

  /** Shard {@code id} of {@code cluster}, if it has one. */
  static Optional<ShardInfo> findShard(GetClusterResponse cluster, int id) {
    return cluster.getShardsList().stream().filter(s -> s.getId() == id).findFirst();
  }

  /**
   * Node {@code id} of {@code cluster}.
   *
   * @throws RaftlogException {@code NOT_FOUND} naming the nodes there are
   */
  static NodeInfo node(GetClusterResponse cluster, String id) {
    return findNode(cluster, id)
        .orElseThrow(
            () ->
                notFound(
                    "no node '"
                        + id
                        + "' in the cluster; its nodes are "
                        + cluster.getNodesList().stream()
                            .map(NodeInfo::getId)
                            .collect(Collectors.joining(", "))));
  }

  /**
   * Shard {@code id} of {@code cluster}.
   *
   * @throws RaftlogException {@code NOT_FOUND} naming the shards there are
   */
  static ShardInfo shard(GetClusterResponse cluster, int id) {
    return findShard(cluster, id)
        .orElseThrow(
            () ->
                notFound(
                    "no shard "
                        + id
                        + " in the cluster; its shards are "
                        + (cluster.getShardsCount() == 0
                            ? "none"
                            : "0 to " + (cluster.getShardsCount() - 1))));
  }

  private static RaftlogException notFound(String message) {
    return new RaftlogException(Status.Code.NOT_FOUND, message, null);
  }
}
