package io.raftlog.server;

import io.grpc.ServerServiceDefinition;
import io.raftlog.collector.LogsIngest;
import io.raftlog.collector.OtlpLogsService;
import io.raftlog.collector.RecordSink;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.otlp.LogStreamNames;
import io.raftlog.service.LogService;
import io.raftlog.service.MalformedRequests;
import java.util.List;

/**
 * The node's OTLP logs endpoint on the client port, when {@code otlp.enabled}: the collector's
 * {@link LogsIngest}, appending through the node's own produce path ({@link
 * LogService#produceAsync}, which forwards to a shard's leader), behind the gRPC {@link
 * OtlpLogsService}.
 */
final class OtlpIn {
  private OtlpIn() {}

  /** The ingest both OTLP transports share, over {@code service}'s produce path. */
  static LogsIngest ingest(NodeConfig config, LogService service) {
    RecordSink sink =
        new RecordSink() {
          @Override
          public java.util.concurrent.CompletableFuture<io.raftlog.api.v1.ProduceResponse> produce(
              io.raftlog.api.v1.ProduceRequest batch) {
            return service.produceAsync(batch);
          }

          @Override
          public int shardOf(String stream) {
            return service.shardOf(stream);
          }
        };
    return new LogsIngest(
        sink, new LogStreamNames(config.get(ConfigKeys.OTLP_STREAM_PATTERN)), config);
  }

  /** The gRPC services to add: the OTLP LogsService, or none with {@code otlp.enabled=false}. */
  static List<ServerServiceDefinition> services(NodeConfig config, LogService service) {
    if (!config.get(ConfigKeys.OTLP_ENABLED)) {
      return List.of();
    }
    // Bytes that are no ExportLogsServiceRequest get INVALID_ARGUMENT, as on the log service.
    return List.of(
        MalformedRequests.guard(new OtlpLogsService(ingest(config, service)).bindService()));
  }
}
