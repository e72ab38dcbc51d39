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
import io.raftlog.wire.CallHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gRPC channel per node, and the client's view of the cluster: which nodes exist (bootstrap
 * addresses, then what {@code GetCluster} says), which one leads (from the {@code raftlog-leader}
 * header of every response), and which failed recently.
 *
 * <p>A node that failed at the transport level is left out for a while (the quarantine), also when
 * some node still names it as the leader: that is how the client avoids looping against a stale
 * leader while an election is under way.
 */
final class LeaderAwareChannel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderAwareChannel.class);
  private static final long REFRESH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final ClientOptions options;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, Long> failedAt = new ConcurrentHashMap<>();
  private final Map<String, String> addressById = new ConcurrentHashMap<>();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile long lastRefreshNanos = System.nanoTime() - REFRESH_INTERVAL_NANOS;
  private volatile List<String> nodes;
  private volatile String leader;

  LeaderAwareChannel(ClientOptions options) {
    this.options = options;
    this.nodes = List.copyOf(options.bootstrap());
    roundRobin.set((int) (System.nanoTime() & 0xffff)); // clients do not all start on one node
  }

  /** Where a write should go: the leader if known and healthy, else any healthy node. */
  String forWrite() {
    String l = leader;
    if (l != null && !quarantined(l)) {
      return l;
    }
    refresh();
    return forRead();
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

  String leader() {
    return leader;
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

  /**
   * Asks any node for the cluster's members and leader, at most twice a second, in the background.
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
            // Once every member's address is known, the node's own view (leader id) is enough and
            // answers at once, even while a peer is frozen.
            GetClusterRequest.newBuilder()
                .setLocalOnly(addressById.size() >= 2 && addressById.size() >= nodes.size())
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

  /** Takes the members and the leader from a GetCluster answer. */
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
    String newLeader = addressById.get(cluster.getLeaderId());
    if (newLeader != null) {
      setLeader(newLeader);
    }
  }

  private void setLeader(String address) {
    String old = leader;
    if (!address.equals(old)) {
      LOG.debug("leader: {} (was {})", address, old);
      leader = address;
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
   * Every call ends here: its outcome teaches the client who leads and which nodes are alive.
   * {@code answered} says whether the node itself answered (its {@code raftlog-node} header came
   * back) rather than gRPC reporting that the node could not be reached.
   */
  private void observe(String node, Status status, boolean answered, String hint) {
    Status.Code code = status.getCode();
    if (status.isOk()) {
      failedAt.remove(node);
    } else if (code == Status.Code.DEADLINE_EXCEEDED
        || (!answered && (code == Status.Code.UNAVAILABLE || code == Status.Code.UNKNOWN))) {
      failedAt.put(node, System.nanoTime());
      if (node.equals(leader)) {
        leader = null;
      }
      refresh();
    } else if (code == Status.Code.UNAVAILABLE && hint == null) {
      // The node answered but knows no leader: an election is under way.
      if (node.equals(leader)) {
        leader = null;
      }
      refresh();
    }
    if (hint != null) {
      setLeader(hint);
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
                  if (hint != null) {
                    setLeader(hint);
                  }
                  super.onHeaders(h);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                  read(trailers);
                  if (status.getCode() != Status.Code.CANCELLED) {
                    observe(node, status, answered, hint);
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
