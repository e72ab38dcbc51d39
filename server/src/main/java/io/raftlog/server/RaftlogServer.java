package io.raftlog.server;

import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.metrics.NodeMetrics;
import io.raftlog.replication.RaftState;
import io.raftlog.replication.Replicas;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.service.LogService;
import io.raftlog.wire.HostPort;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One raftlog node, assembled: its {@link Replicas} (the meta group and its shard replicas, each
 * shard with its store), and the gRPC server (log service, health, reflection) in front. {@link
 * #close()} takes it down in the reverse order.
 *
 * <p>Made by {@link #builder(NodeConfig)}: by default the gRPC server is Netty on the config's
 * client address, with TLS as {@code tls.api.mode} says ({@link NodeTls}); a caller may hand in a
 * {@link ServerBuilder} of its own (in-process transport, TLS of its own), which is left as given.
 */
public final class RaftlogServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftlogServer.class);

  private final NodeConfig config;
  private final HealthStatusManager health = new HealthStatusManager();
  private final ExecutorService readExecutor;
  private final Replicas replicas;
  private final LogService service;
  private final NodeTls tls;
  private final GrpcPorts grpc;
  private final OpenCalls openCalls = new OpenCalls();
  private volatile boolean stopping;
  private volatile boolean serving; // the health setHealth last set, for the metrics
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.concurrent.ScheduledExecutorService checkIn;
  private final NodeMetrics metrics; // null with metrics.enabled=false
  private final NodeHttp http; // null with http.port=0

  /**
   * The balancer hands a leadership only to a node that has served this long: one just restarted
   * still catches up (a rolling restart's worst stalls were leaderships handed to it at once).
   */
  static final long BALANCE_SETTLE_MS = 5_000;

  /** Reads (consume calls, stream refills) waiting for a read thread. */
  static final int READ_QUEUE = 1024;

  private RaftlogServer(
      NodeConfig config, ServerBuilder<?> outside, PrometheusMeterRegistry registry)
      throws IOException {
    this.config = config;
    this.tls = NodeTls.start(config); // first: a bad certificate file stops the node here
    setHealth(false);
    // Two threads serve reads; a bounded queue answers RESOURCE_EXHAUSTED rather than grow.
    this.readExecutor =
        new ThreadPoolExecutor(
            2,
            2,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(READ_QUEUE),
            named("raftlog-read-" + config.get(ConfigKeys.NODE_ID)));
    boolean joins = !config.forms() || ClusterJoin.mustJoinInstead(config, tls.nodeCalls());
    this.replicas = Replicas.start(config, !joins, this::setHealth);
    this.service = new LogService(config, replicas, readExecutor, tls.nodeCalls());
    OtlpIn otlp = new OtlpIn(config, service);
    replicas.leadershipTargets(service.peerServing());
    replicas.balanceOnlyTo(service.peerServingFor(BALANCE_SETTLE_MS));
    String address = config.self().clientAddress();
    this.metrics =
        config.get(ConfigKeys.METRICS_ENABLED)
            ? new NodeMetrics(
                registry != null ? registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                config,
                replicas,
                service,
                () -> serving)
            : null;
    this.grpc =
        GrpcPorts.start(
            config,
            outside != null ? outside : tls.serverOn(HostPort.parse(address)),
            service,
            health,
            otlp,
            openCalls,
            metrics);
    try {
      this.http = NodeHttp.start(config, address, metrics, otlp.http(), tls.nodeCalls());
    } catch (IOException e) {
      closeQuietly();
      throw e;
    }
    this.checkIn = ClusterJoin.checkIn(config, replicas, tls.nodeCalls());
    if (joins) {
      try {
        ClusterJoin.join(config, replicas.clusterIdOnDisk(), tls.nodeCalls());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closeQuietly();
        throw new IOException("interrupted while joining the cluster", e);
      } catch (RuntimeException e) {
        closeQuietly();
        throw e;
      }
    }
    LOG.info(
        "node {} serving on {} (raft {}), data in {}",
        config.get(ConfigKeys.NODE_ID),
        outside == null ? address : "a transport given by the caller",
        config.self().raftAddress(),
        config.get(ConfigKeys.DATA_DIR));
  }

  /** Starts a node with the default gRPC server: {@code builder(config).start()}. */
  public static RaftlogServer start(NodeConfig config) throws IOException {
    return builder(config).start();
  }

  public static Builder builder(NodeConfig config) {
    return new Builder(config);
  }

  /** What a node is started with: its config, and optionally a gRPC server builder from outside. */
  public static final class Builder {
    private final NodeConfig config;
    private ServerBuilder<?> serverBuilder;
    private PrometheusMeterRegistry meterRegistry;

    private Builder(NodeConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Serves the node's gRPC services on this builder instead of Netty on the config's client
     * address. The node adds its services, its inbound message limit and (where the transport has
     * keepalive) its keepalive permits, then builds and starts it.
     */
    public Builder serverBuilder(ServerBuilder<?> serverBuilder) {
      this.serverBuilder = Objects.requireNonNull(serverBuilder, "serverBuilder");
      return this;
    }

    /**
     * Registers the node's meters in this registry (e.g. one an embedding application scrapes)
     * instead of one of its own; {@code /metrics} serves it. Ignored with {@code
     * metrics.enabled=false}.
     */
    public Builder meterRegistry(PrometheusMeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /** Opens the stores, joins the Raft groups and starts serving. */
    public RaftlogServer start() throws IOException {
      return new RaftlogServer(config, serverBuilder, meterRegistry);
    }
  }

  /**
   * Starts a node from properties as a node's config file holds them (the test kit's clusters start
   * nodes this way).
   */
  public static RaftlogServer start(Properties config) throws IOException {
    return start(NodeConfig.from(config));
  }

  /**
   * Whether the catalog records this node as checked in (its data directory holds the cluster id):
   * from then on it is refused should it come back with no data.
   */
  public boolean checkedIn() {
    return replicas.checkedIn(config.get(ConfigKeys.NODE_ID));
  }

  public NodeConfig config() {
    return config;
  }

  /** The shard that holds {@code stream}. */
  public int shardOf(String stream) {
    return replicas.shardOf(stream);
  }

  /** How many shards the cluster has. */
  public int shardCount() {
    return replicas.shardCount();
  }

  /** Whether this node leads {@code shard} right now (false if it holds no replica of it). */
  public boolean leads(int shard) {
    ReplicatedLog r = replicas.local(shard);
    return r != null && r.isLeader();
  }

  /** The leader of {@code shard} this node knows of (itself included), or null. */
  public Peer leader(int shard) {
    ReplicatedLog r = replicas.local(shard);
    return r == null ? null : r.leader();
  }

  /** Whether this node leads the meta group right now. */
  public boolean leadsMeta() {
    return replicas.catalog().isLeader();
  }

  /** This node's role, term and Raft indexes in {@code shard}, or null if it holds no replica. */
  public RaftState raftState(int shard) {
    ReplicatedLog r = replicas.local(shard);
    return r == null ? null : r.state();
  }

  /** The next offset of {@code stream} in this node's replica of its shard (0 if absent). */
  public long nextOffset(String stream) {
    ReplicatedLog r = replicas.local(replicas.shardOf(stream));
    return r == null ? 0 : r.reader().nextOffset(stream);
  }

  /**
   * This node's applied state of {@code shard}, or null if it holds no replica (for tests and
   * diagnostics: e.g. comparing the replicas' stores).
   */
  public io.raftlog.storage.LogReader store(int shard) {
    ReplicatedLog r = replicas.local(shard);
    return r == null ? null : r.reader();
  }

  /** host:port of the node's HTTP server (/metrics, the console), or null when it has none. */
  public String httpAddress() {
    return http == null ? null : http.address();
  }

  /** The node's meters, or null with {@code metrics.enabled=false}. */
  public PrometheusMeterRegistry meterRegistry() {
    return metrics == null ? null : metrics.registry();
  }

  /** Calls the node's gRPC server has open right now (for tests and diagnostics). */
  public int openCalls() {
    return openCalls.count();
  }

  /** ConsumeStream calls following a stream's tail right now (for tests and diagnostics). */
  public int openTailStreams() {
    return service.openTailStreams();
  }

  /** Snapshots that replaced one of this node's shard stores since it started. */
  public int snapshotsInstalled() {
    return replicas.localShards().values().stream()
        .mapToInt(ReplicatedLog::snapshotsInstalled)
        .sum();
  }

  /**
   * SERVING while every group of this node (the meta group and each shard replica) knows a leader
   * and its disk has {@code storage.min-free-bytes} usable: only then can it answer writes and
   * linearizable reads for every stream.
   */
  private synchronized void setHealth(boolean leaderKnown) {
    ServingStatus s = leaderKnown && !stopping ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    serving = s == ServingStatus.SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, s);
    health.setStatus(LogGrpc.SERVICE_NAME, s);
  }

  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  /**
   * Stops the node cleanly (what SIGTERM does): first it reports NOT_SERVING, so no peer hands it a
   * leadership back, and hands each group it leads to another node, for up to {@code
   * shutdown.hand-off-ms}, while it goes on serving as a follower; then {@link #close()}. Writes
   * then wait for a leadership transfer (tens of milliseconds) rather than for the other nodes to
   * notice a leader gone and elect one (an election timeout and more).
   *
   * @return the groups (as JRaft names them) it still led when it stopped: empty when every
   *     leadership went to another node, or when it led none
   */
  public List<String> stop() throws InterruptedException {
    if (closed.get()) {
      return List.of();
    }
    stopping = true;
    setHealth(false);
    LOG.info(
        "node {} stopping: handing its leaderships to other nodes first",
        config.get(ConfigKeys.NODE_ID));
    long started = System.nanoTime();
    try {
      List<String> stillLed =
          replicas.handOffLeaderships(config.get(ConfigKeys.SHUTDOWN_HAND_OFF_MS));
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      if (stillLed.isEmpty()) {
        LOG.info(
            "node {} handed off its leaderships in {} ms; stopping",
            config.get(ConfigKeys.NODE_ID),
            tookMs);
      } else {
        LOG.warn(
            "node {} stops still leading {}: no serving replica took them within {} ms ({})",
            config.get(ConfigKeys.NODE_ID),
            stillLed,
            tookMs,
            ConfigKeys.SHUTDOWN_HAND_OFF_MS.name());
      }
      return stillLed;
    } finally {
      // The hand-off is a courtesy to the writers; closing Raft and RocksDB cleanly is not.
      close();
    }
  }

  /**
   * Stops the node now, without handing its leaderships away: to the other nodes it is as if it
   * crashed (tests use this for a leader's loss); {@link #stop()} is the clean way. A second call
   * does nothing.
   */
  @Override
  public void close() throws InterruptedException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopping = true;
    if (checkIn != null) {
      checkIn.shutdownNow();
    }
    health.enterTerminalState();
    if (http != null) {
      http.close();
    }
    service.close();
    grpc.close();
    replicas.close();
    readExecutor.shutdownNow();
    readExecutor.awaitTermination(5, TimeUnit.SECONDS);
    if (metrics != null) {
      metrics.close();
    }
    tls.close();
    LOG.info("node {} stopped", config.get(ConfigKeys.NODE_ID));
  }

  /** Takes down what the constructor started, when the node cannot take its place. */
  private void closeQuietly() {
    try {
      close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
