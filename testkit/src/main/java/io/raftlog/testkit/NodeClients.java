package io.raftlog.testkit;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.Role;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.api.v1.SlotRange;
import io.raftlog.wire.StreamNames;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One plain gRPC channel per node of a test cluster (no leader discovery, no retries: a test sees
 * exactly what the node answers), and what the nodes say about themselves and the leaders of the
 * meta group and the shards. The channels are plaintext, or TLS with the credentials given (a TLS
 * cluster's, {@link ClusterTls#kitCredentials()}).
 */
public final class NodeClients implements AutoCloseable {
  private static final int MAX_INBOUND_BYTES = 16 << 20;

  private final Function<String, String> clientAddress;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private volatile ChannelCredentials credentials;

  /** Plaintext channels. */
  public NodeClients(Function<String, String> clientAddress) {
    this(clientAddress, InsecureChannelCredentials.create());
  }

  public NodeClients(Function<String, String> clientAddress, ChannelCredentials credentials) {
    this.clientAddress = clientAddress;
    this.credentials = credentials;
  }

  /** Channels opened from now on use {@code credentials}; those open so far are closed. */
  public void credentials(ChannelCredentials credentials) {
    this.credentials = credentials;
    close();
  }

  public ManagedChannel channel(String id) {
    return channels.computeIfAbsent(
        id,
        k ->
            NettyChannelBuilder.forTarget(clientAddress.apply(k), credentials)
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
   * The leader of the shard that holds {@code stream}, once the whole cluster is settled: see
   * {@link #agreedShardLeaders}. Null while it is not.
   */
  public String agreedLeader(Collection<String> ids, String stream) {
    Settled settled = settled(ids);
    return settled == null ? null : settled.leaders().get(shardOf(settled.view(), stream));
  }

  /** {@link #agreedLeader(Collection, String)} for the stream {@code default}. */
  public String agreedLeader(Collection<String> ids) {
    return agreedLeader(ids, StreamNames.DEFAULT);
  }

  /**
   * Each shard's leader by shard id, once every node of {@code ids} names the same leader for the
   * meta group and for every shard it holds a replica of, each leader is among {@code ids}, and
   * each says it leads; else null (an election, a node that has not heard yet).
   */
  public Map<Integer, String> agreedShardLeaders(Collection<String> ids) {
    Settled settled = settled(ids);
    return settled == null ? null : settled.leaders();
  }

  /** The shard that holds {@code stream}, by the slot map of a GetCluster answer. */
  public static int shardOf(GetClusterResponse view, String stream) {
    int slot = StreamNames.slotOf(stream);
    for (SlotRange r : view.getSlotsList()) {
      if (slot >= r.getFirstSlot() && slot <= r.getLastSlot()) {
        return r.getShard();
      }
    }
    throw new IllegalStateException("no shard holds slot " + slot);
  }

  private record Settled(GetClusterResponse view, Map<Integer, String> leaders) {}

  private Settled settled(Collection<String> ids) {
    Map<String, GetClusterResponse> views = new HashMap<>();
    for (String id : ids) {
      GetClusterResponse r = localView(id);
      if (r == null || r.getNodesCount() != 1 || r.getLeaderId().isEmpty()) {
        return null;
      }
      views.put(id, r);
    }
    if (views.isEmpty()) {
      return null;
    }
    GetClusterResponse any = views.values().iterator().next();
    if (views.values().stream().map(GetClusterResponse::getLeaderId).distinct().count() != 1
        || !ids.contains(any.getLeaderId())
        || views.get(any.getLeaderId()).getNodes(0).getRole() != Role.LEADER) {
      return null;
    }
    Map<Integer, String> leaders = new TreeMap<>();
    for (ShardInfo shard : any.getShardsList()) {
      String leader = null;
      for (String id : ids) {
        NodeInfo self = views.get(id).getNodes(0);
        if (self.getReplicasList().stream().noneMatch(r -> r.getShard() == shard.getId())) {
          continue; // holds no replica: its view of this shard says nothing
        }
        String named = views.get(id).getShards(shard.getId()).getLeaderId();
        if (named.isEmpty() || (leader != null && !leader.equals(named))) {
          return null;
        }
        leader = named;
      }
      if (leader == null || !ids.contains(leader) || !leads(views.get(leader), shard.getId())) {
        return null;
      }
      leaders.put(shard.getId(), leader);
    }
    // The nodes hand leadership over until each leads shards/nodes +-1; a test that starts before
    // then would see those transfers as failures. (Only where every node holds every shard: with
    // fewer replicas than nodes, a node's balancer sees the leaders of its own shards only.)
    boolean everyShardEverywhere =
        views.values().stream()
            .allMatch(v -> v.getNodes(0).getReplicasCount() == any.getShardsCount());
    if (!everyShardEverywhere) {
      return new Settled(any, leaders);
    }
    Map<String, Integer> led = new HashMap<>();
    ids.forEach(id -> led.put(id, 0));
    leaders.values().forEach(id -> led.merge(id, 1, Integer::sum));
    int most = led.values().stream().max(Integer::compare).orElse(0);
    int fewest = led.values().stream().min(Integer::compare).orElse(0);
    if (most - fewest > 1) {
      return null;
    }
    return new Settled(any, leaders);
  }

  private static boolean leads(GetClusterResponse view, int shard) {
    return view.getNodes(0).getReplicasList().stream()
        .anyMatch(r -> r.getShard() == shard && r.getRole() == Role.LEADER);
  }

  /** The answering node's view of the cluster (every shard, slots), or null. */
  public GetClusterResponse view(String id) {
    return localView(id);
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
