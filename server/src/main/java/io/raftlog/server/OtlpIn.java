package io.raftlog.server;

import io.grpc.ServerServiceDefinition;
import io.raftlog.collector.LogsIngest;
import io.raftlog.collector.OtlpHttpHandler;
import io.raftlog.collector.OtlpLogsService;
import io.raftlog.collector.RecordSink;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.otlp.LogStreamNames;
import io.raftlog.service.LogService;
import io.raftlog.service.MalformedRequests;
import java.util.List;

/**
 * The node's OTLP logs endpoints, when {@code otlp.enabled}: one collector {@link LogsIngest},
 * appending through the node's own produce path ({@link LogService#produceAsync}, which forwards to
 * a shard's leader), behind the gRPC {@link OtlpLogsService} on the client port and the {@link
 * OtlpHttpHandler} on the HTTP port, each export authorized by {@link NodeAuthorization}
 * (OTLP/HTTP's as anonymous). Made once by {@link RaftlogServer}.
 */
final class OtlpIn {
  private final NodeConfig config;
  private final NodeAuthorization auth;
  private final LogsIngest ingest; // null with otlp.enabled=false

  OtlpIn(NodeConfig config, LogService service, NodeAuthorization auth) {
    this.config = config;
    this.auth = auth;
    this.ingest = config.get(ConfigKeys.OTLP_ENABLED) ? ingest(config, service, auth) : null;
  }

  /** The ingest both OTLP transports share, over {@code service}'s produce path. */
  private static LogsIngest ingest(NodeConfig config, LogService service, NodeAuthorization auth) {
    RecordSink sink =
        new RecordSink() {
          @Override
          public java.util.concurrent.CompletableFuture<io.raftlog.api.v1.ProduceResponse> produce(
              io.raftlog.api.v1.ProduceRequest batch) {
            return service.produceAsync(batch);
          }

          @Override
          public void authorize(io.raftlog.api.v1.ProduceRequest batch) {
            auth.checkProduce(batch);
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
  List<ServerServiceDefinition> services() {
    if (ingest == null) {
      return List.of();
    }
    // Bytes that are no ExportLogsServiceRequest get INVALID_ARGUMENT, as on the log service.
    return auth.guard(List.of(MalformedRequests.guard(new OtlpLogsService(ingest).bindService())));
  }

  /**
   * OTLP/HTTP logs in, for {@link NodeHttp} to mount at {@code /v1/logs}; null with {@code
   * otlp.enabled=false}. A body may be as large as a gRPC export may (the gRPC server's inbound
   * limit, {@code log.max-batch-bytes} + 1 MiB), so both transports take the same exports; the
   * bodies held at once are bounded by four of those, so the node's heap stays bounded whatever
   * number of exporters send at once.
   */
  OtlpHttpHandler http() {
    if (ingest == null) {
      return null;
    }
    int maxBody = config.get(ConfigKeys.MAX_BATCH_BYTES) + (1 << 20);
    return new OtlpHttpHandler(ingest, maxBody, 4L * maxBody);
  }
}
