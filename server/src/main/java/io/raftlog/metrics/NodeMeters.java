package io.raftlog.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.raftlog.service.LogService;
import io.raftlog.service.NodeTraffic;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The node's own meters (docs/metrics.md, "The node"), but the disk's ({@link DiskMeters}): its
 * health, the traffic {@link NodeTraffic} counts, produce bytes in flight, open consume streams and
 * tail subscribers, forwarded calls. Function counters and gauges over the service's own counters,
 * read when scraped. Registered once by {@link NodeMetrics}, for the node's life.
 */
final class NodeMeters {
  private NodeMeters() {}

  static void register(
      MeterRegistry registry,
      LogService service,
      BooleanSupplier serving,
      IntSupplier consumeStreamsOpen) {
    NodeTraffic traffic = service.traffic();
    Gauge.builder("raftlog.node.serving", () -> serving.getAsBoolean() ? 1 : 0)
        .description("1 while the node's health is SERVING, else 0")
        .register(registry);
    counter(
        registry,
        "raftlog.records.appended",
        "records appended as the shard's leader, acked",
        traffic,
        NodeTraffic::recordsAppended);
    counter(
        registry,
        "raftlog.bytes.appended",
        "bytes of those records",
        traffic,
        NodeTraffic::bytesAppended);
    counter(
        registry,
        "raftlog.records.read",
        "records sent to Consume and ConsumeStream",
        traffic,
        NodeTraffic::recordsRead);
    counter(
        registry, "raftlog.bytes.read", "bytes of those records", traffic, NodeTraffic::bytesRead);
    counter(
        registry,
        "raftlog.forwarded.calls",
        "calls sent on to another node",
        traffic,
        NodeTraffic::forwardedCalls);
    Gauge.builder("raftlog.produce.inflight.bytes", service::inflightBytes)
        .description("produce bytes received and not yet answered")
        .register(registry);
    Gauge.builder("raftlog.produce.inflight.max.bytes", service::maxInflightBytes)
        .description("log.max-inflight-bytes")
        .register(registry);
    Gauge.builder("raftlog.consume.streams.open", consumeStreamsOpen::getAsInt)
        .description("ConsumeStream calls open on this node")
        .register(registry);
    Gauge.builder("raftlog.tail.subscribers", service::openTailStreams)
        .description("ConsumeStream calls following a stream's tail on this node")
        .register(registry);
  }

  private static void counter(
      MeterRegistry registry,
      String name,
      String help,
      NodeTraffic traffic,
      ToDoubleFunction<NodeTraffic> value) {
    FunctionCounter.builder(name, traffic, value).description(help).register(registry);
  }
}
