package io.raftlog.server;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.api.v1.JoinClusterRequest;
import io.raftlog.api.v1.JoinClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.replication.Replicas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node takes its place in a cluster at start. A node that joins ({@code cluster.join}) asks
 * the nodes it was given, in turn, to register it (JoinCluster) until one answers, and is refused
 * for good if the cluster says its data does not fit (another cluster's, or no data under an id the
 * cluster holds). A node that forms the cluster with no data first asks its peers whether a cluster
 * already holds its id (a node that comes back wiped must not vote as if it still had its log).
 * Runs on the starting thread, before the node serves. Every call goes with the node's own
 * credentials ({@code nodeCalls}: TLS with its certificate, or plaintext).
 */
final class ClusterJoin {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterJoin.class);
  private static final long CALL_TIMEOUT_MS = 2_000;

  /** How long a joining node tries the addresses it was given before it gives up. */
  static final long JOIN_TIMEOUT_MS = 120_000;

  private ClusterJoin() {}

  /** Whether {@code config}'s data directory holds a member's state. */
  static boolean hasData(NodeConfig config) {
    Path data = config.get(ConfigKeys.DATA_DIR);
    return Files.exists(data.resolve(Replicas.CLUSTER_ID_FILE))
        || Files.isDirectory(data.resolve("shards"));
  }

  /**
   * For a node given {@code cluster.peers} with no data: whether a cluster its peers run is already
   * formed without it (it was removed, or is new), so that it must join rather than form; refuses
   * to start when that cluster holds its id as a member that checked in (it comes back wiped).
   */
  static boolean mustJoinInstead(NodeConfig config, ChannelCredentials nodeCalls) {
    if (hasData(config)) {
      return false;
    }
    Peer self = config.self();
    for (Peer p : config.get(ConfigKeys.CLUSTER_PEERS)) {
      if (p.id().equals(self.id())) {
        continue;
      }
      try {
        JoinClusterResponse r =
            ask(p.clientAddress(), request(config, "").setCheckOnly(true).build(), nodeCalls);
        // A formed cluster: one that holds this node (formed with it, never checked in: a start
        // with its peers) lets it form as before; one that does not, it joins.
        return !r.getRegistered();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION) {
          throw new IllegalStateException(e.getStatus().getDescription());
        }
        // not formed yet, or not reachable: the cluster is being formed
      }
    }
    return false;
  }

  /** For a node that joins: registers it, trying each address of cluster.join in turn. */
  static JoinClusterResponse join(
      NodeConfig config, String clusterIdOnDisk, ChannelCredentials nodeCalls)
      throws InterruptedException {
    List<String> seeds = config.get(ConfigKeys.CLUSTER_JOIN);
    if (seeds.isEmpty()) {
      seeds =
          config.get(ConfigKeys.CLUSTER_PEERS).stream()
              .filter(p -> !p.id().equals(config.get(ConfigKeys.NODE_ID)))
              .map(Peer::clientAddress)
              .toList();
    }
    return join(config, clusterIdOnDisk, seeds, nodeCalls);
  }

  private static JoinClusterResponse join(
      NodeConfig config, String clusterIdOnDisk, List<String> seeds, ChannelCredentials nodeCalls)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MS);
    List<String> errors = new ArrayList<>();
    long waitMs = 250;
    while (System.nanoTime() - until < 0) {
      errors.clear();
      for (String seed : seeds) {
        try {
          JoinClusterResponse r = ask(seed, request(config, clusterIdOnDisk).build(), nodeCalls);
          LOG.info(
              "node {} is a member of cluster {} (joined through {})",
              config.get(ConfigKeys.NODE_ID),
              r.getClusterId(),
              seed);
          return r;
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION
              || e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT) {
            throw new IllegalStateException(
                "the cluster refused node "
                    + config.get(ConfigKeys.NODE_ID)
                    + ": "
                    + e.getStatus().getDescription());
          }
          errors.add(seed + ": " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
        }
      }
      LOG.info("waiting to join the cluster through {}: {}", seeds, errors);
      Thread.sleep(waitMs);
      waitMs = Math.min(2_000, waitMs * 2);
    }
    throw new IllegalStateException(
        "could not join the cluster through "
            + seeds
            + " within "
            + JOIN_TIMEOUT_MS
            + " ms: "
            + errors);
  }

  /**
   * Once this node has kept the cluster id in its data directory, checks in (JoinCluster with that
   * id, through itself), so that the cluster refuses it should it ever come back wiped. Runs on a
   * thread of its own every second until done; close the answer to stop it.
   */
  static java.util.concurrent.ScheduledExecutorService checkIn(
      NodeConfig config, Replicas replicas, ChannelCredentials nodeCalls) {
    java.util.concurrent.ScheduledExecutorService timer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "raftlog-check-in");
              t.setDaemon(true);
              return t;
            });
    String self = config.get(ConfigKeys.NODE_ID);
    timer.scheduleWithFixedDelay(
        () -> {
          String clusterId = replicas.clusterIdOnDisk();
          if (clusterId.isEmpty()) {
            return;
          }
          if (replicas.checkedIn(self)) {
            timer.shutdown();
            return;
          }
          try {
            ask(config.self().clientAddress(), request(config, clusterId).build(), nodeCalls);
          } catch (StatusRuntimeException e) {
            LOG.debug("check-in not taken yet", e);
          }
        },
        1,
        1,
        TimeUnit.SECONDS);
    return timer;
  }

  private static JoinClusterRequest.Builder request(NodeConfig config, String clusterId) {
    Peer self = config.self();
    return JoinClusterRequest.newBuilder()
        .setNodeId(self.id())
        .setRaftAddress(self.raftAddress())
        .setClientAddress(self.clientAddress())
        .setClusterId(clusterId);
  }

  private static JoinClusterResponse ask(
      String address, JoinClusterRequest request, ChannelCredentials nodeCalls) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(address, nodeCalls).build();
    try {
      return LogGrpc.newBlockingStub(channel)
          .withDeadlineAfter(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .joinCluster(request);
    } finally {
      channel.shutdownNow();
    }
  }
}
