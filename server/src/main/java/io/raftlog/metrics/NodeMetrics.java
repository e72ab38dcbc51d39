package io.raftlog.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.replication.Replicas;
import io.raftlog.service.LogService;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The node's meters (docs/metrics.md names each one) in one Prometheus registry, and the {@code
 * /metrics} handler that serves them. Meters read the owners' own counters and states when scraped
 * (gauges and function counters), so the data path pays a {@code LongAdder} add at most. Made by
 * {@code RaftlogServer} with the registry it was given (or its own); closed with it.
 */
public final class NodeMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public NodeMetrics(
      PrometheusMeterRegistry registry, NodeConfig config, Replicas replicas, LogService service) {
    this.registry = registry;
    registry.config().commonTags("node", config.get(ConfigKeys.NODE_ID));
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** {@code GET /metrics}: the registry in Prometheus's text format. */
  public void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
