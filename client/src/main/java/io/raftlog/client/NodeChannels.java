package io.raftlog.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.wire.CallHeaders;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's gRPC channels, one per node address, each with an interceptor that feeds the outcome
 * of every call (and the {@code raftlog-leader} header of its answer) to the {@link ClusterView} it
 * owns; and the background {@code GetCluster} that refreshes that view.
 *
 * <p>A call made for a shard carries the shard in its {@link CallOptions} ({@link #SHARD}, set by
 * {@link #async(String, int)} and {@link #blocking(String, int)}): the leader header of its answer
 * names that shard's leader. A call for a shard that fails with {@code UNAVAILABLE} (the node is
 * gone, or does not lead and could not forward) forgets that leader and refreshes the view.
 *
 * <p>One per {@link RaftlogClient}, which closes it; thread-safe. The interceptors run on gRPC's
 * threads.
 */
final class NodeChannels implements ProduceCalls, AutoCloseable {
  /**
   * At most one GetCluster this often: a refresh is asked for only while the view is stale (no
   * leader known, a failed call, a stalled one), and how soon it asks again bounds how soon the
   * client learns a new leader after an election.
   */
  private static final long REFRESH_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /**
   * A GetCluster's deadline. A frozen node answers nothing, and a refresh sent to it must not hold
   * up the next one: each refresh goes out on its own (round robin, skipping nodes in quarantine),
   * and this ends one in a frozen node (which quarantines it).
   */
  private static final long REFRESH_DEADLINE_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

  /** The shard a call is made for; its answer's leader header names that shard's leader. */
  static final CallOptions.Key<Integer> SHARD = CallOptions.Key.create("raftlog-shard");

  private final ClientOptions options;
  private final ChannelCredentials credentials;
  private final ClusterView view;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final AtomicLong lastRefreshNanos =
      new AtomicLong(System.nanoTime() - REFRESH_INTERVAL_NANOS);

  /**
   * Channels with {@code options}' settings.
   *
   * @throws IllegalArgumentException if a TLS file cannot be used (read here, once)
   */
  NodeChannels(ClientOptions options) {
    this.options = options;
    this.credentials =
        options
            .get(ClientSettings.TLS)
            .map(ClientTls::credentials)
            .orElseGet(InsecureChannelCredentials::create);
    this.view =
        new ClusterView(
            options.get(ClientSettings.SERVERS),
            options.get(ClientSettings.FAILED_NODE_QUARANTINE),
            System::nanoTime,
            this::refresh);
  }

  /** The view of the cluster these channels keep up to date. */
  ClusterView view() {
    return view;
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

  @Override
  public void openStream(String node, int shard, Answers answers) {
    async(node, shard).produceStream(answers);
  }

  @Override
  public void produce(
      String node, int shard, ProduceRequest request, long timeoutNanos, Answers answers) {
    async(node, shard)
        .withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS)
        .produce(request, answers);
  }

  /**
   * Asks any node for the cluster's members, slot map and shard leaders, at most once per {@link
   * #REFRESH_INTERVAL_NANOS}, in the background. (A refresh that waited for the one before to end
   * waited 10 s when that one had gone to a frozen node: no leader learned meanwhile.)
   */
  void refresh() {
    long now = System.nanoTime();
    long last = lastRefreshNanos.get();
    if (now - last < REFRESH_INTERVAL_NANOS || !lastRefreshNanos.compareAndSet(last, now)) {
      return;
    }
    String node = view.forRead();
    async(node)
        .withDeadlineAfter(
            Math.min(REFRESH_DEADLINE_NANOS, options.get(ClientSettings.ATTEMPT_TIMEOUT).toNanos()),
            TimeUnit.NANOSECONDS)
        .getCluster(
            GetClusterRequest.newBuilder().setLocalOnly(view.knowsMembers()).build(),
            new StreamObserver<>() {
              @Override
              public void onCompleted() {}

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onNext(GetClusterResponse value) {
                view.learn(value);
              }
            });
  }

  private Channel channel(String node) {
    return channels.computeIfAbsent(
        node,
        n ->
            NettyChannelBuilder.forTarget(n, credentials)
                .maxInboundMessageSize(options.get(ClientSettings.MAX_INBOUND_BYTES))
                // A frozen node never resets the connection; pings find it within ~15 s.
                .keepAliveTime(10, TimeUnit.SECONDS)
                .keepAliveTimeout(5, TimeUnit.SECONDS)
                .intercept(options.get(ClientSettings.INTERCEPTORS))
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
                    view.leads(shard, hint);
                  }
                  super.onHeaders(h);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                  read(trailers);
                  if (status.getCode() != Status.Code.CANCELLED) {
                    view.observe(node, shard, status, answered, hint);
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
