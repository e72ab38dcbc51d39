package io.raftlog.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.Arrays;

/**
 * The RPC meters (docs/metrics.md, "RPCs"): Micrometer's gRPC server interceptor, with its
 * processing-duration timer given a fixed, short set of histogram buckets ({@link #BUCKETS_MS}), so
 * {@code _bucket} series exist for latency quantiles in Prometheus while the series stay bounded
 * (methods x status codes x 14). Its call counters keep the names docs/metrics.md gives.
 */
final class GrpcMeters {
  /** The timer the interceptor records each call's duration in. */
  static final String DURATION = "grpc.server.processing.duration";

  /** Upper bounds of the duration buckets, in milliseconds (+Inf is added). */
  static final long[] BUCKETS_MS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

  private GrpcMeters() {}

  /** Gives the duration timer its buckets; before the interceptor registers any. */
  static void configure(MeterRegistry registry) {
    double[] slos =
        Arrays.stream(BUCKETS_MS).mapToDouble(ms -> Duration.ofMillis(ms).toNanos()).toArray();
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              // The call counters count messages, a unit the Prometheus names would carry
              // (grpc_server_requests_received_messages_total): docs/metrics.md names them without.
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith("grpc.server.")
                        && "messages".equals(id.getBaseUnit())
                    ? id.withBaseUnit(null)
                    : id;
              }

              @Override
              public DistributionStatisticConfig configure(
                  Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals(DURATION)) {
                  return config;
                }
                return DistributionStatisticConfig.builder()
                    .serviceLevelObjectives(slos)
                    .build()
                    .merge(config);
              }
            });
  }

  /** The interceptor RaftlogServer puts in front of every service. */
  static MetricCollectingServerInterceptor interceptor(MeterRegistry registry) {
    return new MetricCollectingServerInterceptor(registry);
  }
}
