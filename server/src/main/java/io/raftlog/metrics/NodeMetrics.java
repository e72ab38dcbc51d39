package io.raftlog.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.replication.GroupStats;
import io.raftlog.replication.Replicas;
import io.raftlog.service.LogService;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The node's meters (docs/metrics.md names each one) in one Prometheus registry, and the {@code
 * /metrics} handler that serves them. Meters read the owners' own counters and states when scraped
 * (gauges and function counters), so the data path pays a {@code LongAdder} add at most. One kind
 * of meter per class: {@link GroupMeters} for each Raft group member the node holds (registered as
 * a replica starts, removed as it is dropped), {@link NodeMeters}, {@link DiskMeters}, {@link
 * GrpcMeters}, and Micrometer's JVM binders here. Made by {@code RaftlogServer} with the registry
 * it was given (or its own), before its gRPC server is built ({@link #interceptor}, {@link
 * #streamTracer}); closed with it.
 */
public final class NodeMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final ConsumeStreamsOpen consumeStreams = new ConsumeStreamsOpen();
  private final Map<String, GroupMeters> groups = new ConcurrentHashMap<>();
  private final ServerInterceptor interceptor;

  /**
   * {@code serving}: whether the node's health is SERVING now (the server's, read when scraped).
   */
  public NodeMetrics(
      PrometheusMeterRegistry registry,
      NodeConfig config,
      Replicas replicas,
      LogService service,
      BooleanSupplier serving) {
    this.registry = registry;
    registry.config().commonTags("node", config.get(ConfigKeys.NODE_ID));
    GrpcMeters.configure(registry);
    this.interceptor = GrpcMeters.interceptor(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    NodeMeters.register(registry, service, serving, consumeStreams::count);
    DiskMeters.register(registry, replicas.disk());
    added(replicas.catalog().stats());
    replicas.eachReplica(r -> added(r.stats()), r -> dropped(r.stats()));
  }

  private void added(GroupStats stats) {
    // A registry hands back a meter it holds under the same name and tags: the old ones of this
    // group (if any) go first, or the new replica's would read the old one's stats.
    dropped(stats);
    groups.put(stats.group(), new GroupMeters(registry, stats));
  }

  private void dropped(GroupStats stats) {
    GroupMeters meters = groups.remove(stats.group());
    if (meters != null) {
      meters.close();
    }
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Counts every call by method and status, and times it (Micrometer's gRPC interceptor). */
  public ServerInterceptor interceptor() {
    return interceptor;
  }

  /** Counts the open ConsumeStream calls. */
  public ServerStreamTracer.Factory streamTracer() {
    return consumeStreams;
  }

  /** {@code GET /metrics}: the registry in Prometheus's text format. */
  public void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The registry's text, with each group's follower series brought up to date first. */
  public String scrape() {
    groups.values().forEach(GroupMeters::refresh);
    return registry.scrape();
  }

  @Override
  public void close() {
    groups.values().forEach(GroupMeters::close);
    groups.clear();
    gc.close();
    registry.close();
  }
}
