package io.raftlog.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.wire.CallHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gRPC channel per node, and the client's view of the cluster: which nodes exist (bootstrap
 * addresses, then what {@code GetCluster} says), the slot map ({@link ShardMap}: which shard holds
 * a stream), which node leads each shard (from {@code GetCluster}, then from the {@code
 * raftlog-leader} header of every answer to a call made for a shard), and which nodes failed
 * recently.
 *
 * <p>A call made for a shard carries the shard in its {@link CallOptions} ({@link #SHARD}, set by
 * {@link #async(String, int)} and {@link #blocking(String, int)}): the leader header of its answer
 * names that shard's leader. A call for a shard that fails with {@code UNAVAILABLE} (the node is
 * gone, or does not lead and could not forward) forgets that leader and refreshes the view.
 *
 * <p>A node that failed at the transport level is left out for a while (the quarantine), also when
 * some node still names it as the leader: that is how the client avoids looping against a stale
 * leader while an election is under way.
 */
final class LeaderAwareChannel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderAwareChannel.class);
  private static final long REFRESH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** The shard a call is made for; its answer's leader header names that shard's leader. */
  static final CallOptions.Key<Integer> SHARD = CallOptions.Key.create("raftlog-shard");

  private final ClientOptions options;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, Long> failedAt = new ConcurrentHashMap<>();
  private final Map<String, String> addressById = new ConcurrentHashMap<>();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile long lastRefreshNanos = System.nanoTime() - REFRESH_INTERVAL_NANOS;
  private final Map<Integer, String> shardLeaders = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> mapKnown = new CompletableFuture<>();
  private volatile List<String> nodes;
  private volatile ShardMap map;

  LeaderAwareChannel(ClientOptions options) {
    this.options = options;
    this.nodes = List.copyOf(options.bootstrap());
    roundRobin.set((int) (System.nanoTime() & 0xffff)); // clients do not all start on one node
  }

  /**
   * Where a call for {@code shard} should go: its leader if known and healthy, else any healthy
   * node (which forwards a write to the leader). A negative shard (not known yet) means any node.
   */
  String forShard(int shard) {
    String l = shard < 0 ? null : shardLeaders.get(shard);
    if (l != null && !quarantined(l)) {
      return l;
    }
    refresh();
    return forRead();
  }

  /** The shard of {@code stream}, or -1 while the slot map is not known. */
  int shardOf(String stream) {
    ShardMap m = map;
    return m == null ? -1 : m.shardOf(stream);
  }

  /**
   * The shard of {@code stream}, waiting up to {@code maxWaitNanos} for the slot map if it is not
   * known yet (asking the nodes meanwhile).
   *
   * @throws RaftlogException {@code UNAVAILABLE} if no node gave the map in time
   */
  int awaitShardOf(String stream, long maxWaitNanos) {
    long end = System.nanoTime() + maxWaitNanos;
    while (map == null) {
      refresh();
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new RaftlogException(
            Status.Code.UNAVAILABLE,
            String.format(
                "the cluster's slot map is not known: no node of %s answered GetCluster within"
                    + " %d ms",
                nodes, TimeUnit.NANOSECONDS.toMillis(maxWaitNanos)),
            null);
      }
      try {
        mapKnown.get(Math.min(left, REFRESH_INTERVAL_NANOS), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // ask again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RaftlogException(Status.Code.CANCELLED, "interrupted while waiting", e);
      }
    }
    return map.shardOf(stream);
  }

  /** The slot map, or null while none is known. */
  ShardMap map() {
    return map;
  }

  /**
   * The next healthy node, round robin; if every node failed recently, the one that failed first.
   */
  String forRead() {
    List<String> all = nodes;
    String oldestFailure = null;
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < all.size(); i++) {
      String node = all.get(Math.floorMod(roundRobin.getAndIncrement(), all.size()));
      Long at = failedAt.get(node);
      if (at == null || !quarantined(node)) {
        return node;
      }
      if (at < oldest) {
        oldest = at;
        oldestFailure = node;
      }
    }
    return oldestFailure;
  }

  /** The client address of {@code shard}'s leader as far as this client knows, or null. */
  String leaderOf(int shard) {
    return shard < 0 ? null : shardLeaders.get(shard);
  }

  List<String> nodes() {
    return nodes;
  }

  LogGrpc.LogStub async(String node) {
    return LogGrpc.newStub(channel(node));
  }

  LogGrpc.LogBlockingStub blocking(String node) {
    return LogGrpc.newBlockingStub(channel(node));
  }

  /** A stub for calls made for {@code shard} (none if negative): see {@link #SHARD}. */
  LogGrpc.LogStub async(String node, int shard) {
    LogGrpc.LogStub stub = async(node);
    return shard < 0 ? stub : stub.withOption(SHARD, shard);
  }

  /** A stub for calls made for {@code shard} (none if negative): see {@link #SHARD}. */
  LogGrpc.LogBlockingStub blocking(String node, int shard) {
    LogGrpc.LogBlockingStub stub = blocking(node);
    return shard < 0 ? stub : stub.withOption(SHARD, shard);
  }

  /**
   * Asks any node for the cluster's members, slot map and shard leaders, at most twice a second, in
   * the background.
   */
  void refresh() {
    long now = System.nanoTime();
    if (now - lastRefreshNanos < REFRESH_INTERVAL_NANOS || !refreshing.compareAndSet(false, true)) {
      return;
    }
    lastRefreshNanos = now;
    String node = forRead();
    async(node)
        .withDeadlineAfter(options.attemptTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .getCluster(
            // Once every member's address and the slot map are known, the node's own view (its
            // shards' leaders) is enough and answers at once, even while a peer is frozen.
            GetClusterRequest.newBuilder()
                .setLocalOnly(
                    map != null && addressById.size() >= 2 && addressById.size() >= nodes.size())
                .build(),
            new StreamObserver<>() {
              @Override
              public void onNext(GetClusterResponse value) {
                learn(value);
              }

              @Override
              public void onError(Throwable t) {
                refreshing.set(false);
              }

              @Override
              public void onCompleted() {
                refreshing.set(false);
              }
            });
  }

  /** Takes the members, the slot map and the shard leaders from a GetCluster answer. */
  void learn(GetClusterResponse cluster) {
    List<String> members = new ArrayList<>();
    for (NodeInfo n : cluster.getNodesList()) {
      if (!n.getClientAddress().isEmpty()) {
        members.add(n.getClientAddress());
        addressById.put(n.getId(), n.getClientAddress());
      }
    }
    // A single-node answer (local_only) names no peers: keep the members known so far.
    if (members.size() > 1 && !members.equals(nodes)) {
      LOG.debug("cluster members: {}", members);
      nodes = List.copyOf(members);
    }
    // A shard whose leader the answering node does not know keeps the one known so far: a call
    // there fails over if it is stale.
    for (ShardInfo s : cluster.getShardsList()) {
      String address = addressById.get(s.getLeaderId());
      if (address != null) {
        setLeader(s.getId(), address);
      }
    }
    // Published after the leaders: a send waiting for the map must find its shard's leader when it
    // wakes, not open its stream on any node.
    try {
      ShardMap m = ShardMap.from(cluster);
      if (m != null && !m.equals(map)) {
        LOG.debug("slot map: {}", m);
        map = m;
        mapKnown.complete(null);
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("ignoring a slot map that does not cover every slot: {}", e.getMessage());
    }
  }

  private void setLeader(int shard, String address) {
    String old = shardLeaders.put(shard, address);
    if (!address.equals(old)) {
      LOG.debug("shard {} leader: {} (was {})", shard, address, old);
    }
  }

  private void forgetLeader(Integer shard, String node) {
    if (shard != null) {
      shardLeaders.remove(shard, node);
    }
  }

  private boolean quarantined(String node) {
    Long at = failedAt.get(node);
    if (at == null) {
      return false;
    }
    if (System.nanoTime() - at > options.failedNodeQuarantine().toNanos()) {
      failedAt.remove(node, at);
      return false;
    }
    return true;
  }

  /**
   * Every call ends here: its outcome teaches the client who leads {@code shard} (null for a call
   * made for no shard) and which nodes are alive. {@code answered} says whether the node itself
   * answered (its {@code raftlog-node} header came back) rather than gRPC reporting that the node
   * could not be reached.
   */
  private void observe(String node, Integer shard, Status status, boolean answered, String hint) {
    Status.Code code = status.getCode();
    if (status.isOk()) {
      failedAt.remove(node);
    } else if (code == Status.Code.DEADLINE_EXCEEDED
        || (!answered && (code == Status.Code.UNAVAILABLE || code == Status.Code.UNKNOWN))) {
      failedAt.put(node, System.nanoTime());
      // A node that cannot be reached leads nothing the client can use.
      shardLeaders.values().removeIf(node::equals);
      refresh();
    } else if (code == Status.Code.UNAVAILABLE) {
      // The node answered but could not serve the shard (no leader: an election is under way, or
      // it was not the leader and could not forward): ask again who leads.
      if (hint == null || hint.equals(node)) {
        forgetLeader(shard, node);
      }
      refresh();
    }
    if (hint != null && shard != null && !(code == Status.Code.UNAVAILABLE && hint.equals(node))) {
      setLeader(shard, hint);
    }
  }

  private Channel channel(String node) {
    return channels.computeIfAbsent(
        node,
        n ->
            NettyChannelBuilder.forTarget(n)
                .usePlaintext()
                .maxInboundMessageSize(options.maxInboundBytes())
                // A frozen node never resets the connection; pings find it within ~15 s.
                .keepAliveTime(10, TimeUnit.SECONDS)
                .keepAliveTimeout(5, TimeUnit.SECONDS)
                .intercept(options.interceptors())
                .intercept(new Observer(n))
                .build());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdown);
    for (ManagedChannel c : channels.values()) {
      try {
        if (!c.awaitTermination(2, TimeUnit.SECONDS)) {
          c.shutdownNow();
        }
      } catch (InterruptedException e) {
        c.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Reads the leader header and the outcome of every call made through one node's channel. */
  private final class Observer implements ClientInterceptor {
    private final String node;

    Observer(String node) {
      this.node = node;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
      Integer shard = callOptions.getOption(SHARD);
      return new SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(
              new SimpleForwardingClientCallListener<>(listener) {
                private boolean answered;
                private String hint;

                @Override
                public void onHeaders(Metadata h) {
                  read(h);
                  if (hint != null && shard != null) {
                    setLeader(shard, hint);
                  }
                  super.onHeaders(h);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                  read(trailers);
                  if (status.getCode() != Status.Code.CANCELLED) {
                    observe(node, shard, status, answered, hint);
                  }
                  super.onClose(status, trailers);
                }

                private void read(Metadata md) {
                  answered |= md.containsKey(CallHeaders.NODE);
                  String l = md.get(CallHeaders.LEADER);
                  if (l != null) {
                    hint = l;
                  }
                }
              },
              headers);
        }
      };
    }
  }
}
