package io.raftlog.collector;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;

/**
 * OTLP/gRPC logs in: {@code opentelemetry.proto.collector.logs.v1.LogsService/Export} on the node's
 * client port, each export handed to the node's {@link LogsIngest}. Registered by the server when
 * {@code otlp.enabled}; {@link #export} runs on a gRPC thread and answers on the thread that
 * completes the last shard batch, never blocking either.
 */
public final class OtlpLogsService extends LogsServiceGrpc.LogsServiceImplBase {
  private final LogsIngest ingest;

  public OtlpLogsService(LogsIngest ingest) {
    this.ingest = ingest;
  }

  @Override
  public void export(
      ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> out) {
    ingest
        .export(request)
        .whenComplete(
            (response, failure) -> {
              try {
                if (failure != null) {
                  out.onError(LogsIngest.statusOf(failure).asRuntimeException(trailers(failure)));
                } else {
                  out.onNext(response);
                  out.onCompleted();
                }
              } catch (StatusRuntimeException callGone) {
                // The exporter cancelled or timed out meanwhile: no one is left to answer (what
                // was appended is recognised when it retries).
              }
            });
  }

  /** The failure's trailers (a RESOURCE_EXHAUSTED's RetryInfo travels there), or none. */
  private static io.grpc.Metadata trailers(Throwable failure) {
    Throwable t =
        failure instanceof java.util.concurrent.CompletionException c ? c.getCause() : failure;
    io.grpc.Metadata m = Status.trailersFromThrowable(t);
    return m != null ? m : new io.grpc.Metadata();
  }
}
