package io.raftlog.testkit;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.Role;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One plain gRPC channel per node of a test cluster (no leader discovery, no retries: a test sees
 * exactly what the node answers), and what the nodes say about themselves and the leader.
 */
public final class NodeClients implements AutoCloseable {
  private static final int MAX_INBOUND_BYTES = 16 << 20;

  private final Function<String, String> clientAddress;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public NodeClients(Function<String, String> clientAddress) {
    this.clientAddress = clientAddress;
  }

  public ManagedChannel channel(String id) {
    return channels.computeIfAbsent(
        id,
        k ->
            NettyChannelBuilder.forTarget(clientAddress.apply(k))
                .usePlaintext()
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .build());
  }

  public LogGrpc.LogBlockingStub blocking(String id) {
    return LogGrpc.newBlockingStub(channel(id));
  }

  public LogGrpc.LogStub async(String id) {
    return LogGrpc.newStub(channel(id));
  }

  /** How node {@code id} sees itself ({@code local_only}), or null if it does not answer in 1 s. */
  public NodeInfo self(String id) {
    GetClusterResponse r = localView(id);
    return r == null || r.getNodesCount() != 1 ? null : r.getNodes(0);
  }

  /**
   * The leader every node of {@code ids} names, if they all name the same one, it is among {@code
   * ids} and it says it leads; else null (an election, a node that has not heard yet).
   */
  public String agreedLeader(Collection<String> ids) {
    String leader = null;
    NodeInfo leaderSelf = null;
    for (String id : ids) {
      GetClusterResponse r = localView(id);
      if (r == null || r.getLeaderId().isEmpty() || r.getNodesCount() != 1) {
        return null;
      }
      if (leader != null && !leader.equals(r.getLeaderId())) {
        return null;
      }
      leader = r.getLeaderId();
      if (id.equals(leader)) {
        leaderSelf = r.getNodes(0); // the leader's own view, from the answer already in hand
      }
    }
    return leaderSelf != null && leaderSelf.getRole() == Role.LEADER ? leader : null;
  }

  private GetClusterResponse localView(String id) {
    try {
      return blocking(id)
          .withDeadlineAfter(1, TimeUnit.SECONDS)
          .getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build());
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }
}
