package io.raftlog.collector;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.otlp.LogStreamNames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The one ingest core of OTLP logs, shared by the gRPC {@code LogsService/Export} and the HTTP
 * {@code POST /v1/logs}: cuts an export into one batch per shard ({@link ShardBatches}), appends
 * them all at once through the {@link RecordSink}, and turns what the sink answered into OTLP's
 * answer ({@link ExportOutcome}).
 *
 * <p>Made once per node by the server and shared by both transports; {@link #export} runs on the
 * transport's thread up to the sends, and its future completes on the sink's threads (JRaft's or
 * gRPC's). It holds no state of its own between exports, so any thread may call it.
 */
public final class LogsIngest {
  private final RecordSink sink;
  private final LogStreamNames names;
  private final int maxRecordBytes;
  private final int maxBatchBytes;

  /** Takes the limits {@code log.max-record-bytes} and {@code log.max-batch-bytes} from config. */
  public LogsIngest(RecordSink sink, LogStreamNames names, NodeConfig config) {
    this(
        sink,
        names,
        config.get(ConfigKeys.MAX_RECORD_BYTES),
        config.get(ConfigKeys.MAX_BATCH_BYTES));
  }

  LogsIngest(RecordSink sink, LogStreamNames names, int maxRecordBytes, int maxBatchBytes) {
    this.sink = sink;
    this.names = names;
    this.maxRecordBytes = maxRecordBytes;
    this.maxBatchBytes = maxBatchBytes;
  }

  /**
   * Appends every log record of {@code request}. Completes with the OTLP answer ({@code
   * partial_success} when records were rejected: the count and the first reason), or fails with a
   * {@link StatusRuntimeException} whose code follows the OTLP spec for gRPC: {@code UNAVAILABLE}
   * (retry: the records some shard already appended are recognised, not appended twice), {@code
   * RESOURCE_EXHAUSTED} with a {@code google.rpc.RetryInfo} (back off, then retry), {@code
   * INVALID_ARGUMENT} (do not retry: a shard's batch is over {@code log.max-batch-bytes}; nothing
   * was appended).
   */
  public CompletableFuture<ExportLogsServiceResponse> export(ExportLogsServiceRequest request) {
    ShardBatches batches;
    try {
      batches = ShardBatches.cut(request, names, sink::shardOf, maxRecordBytes, maxBatchBytes);
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      // A bug, not the export's fault: answered with what went wrong, never a stack trace.
      return CompletableFuture.failedFuture(
          Status.INTERNAL
              .withDescription("cannot cut the export into batches: " + e)
              .asRuntimeException());
    }
    List<ShardBatches.Batch> sent = batches.batches();
    try {
      for (ShardBatches.Batch b : sent) {
        sink.authorize(b.request());
      }
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e); // all or nothing: no batch was sent
    }
    List<CompletableFuture<ProduceResponse>> answers = new ArrayList<>(sent.size());
    for (ShardBatches.Batch b : sent) {
      answers.add(sendSafely(b));
    }
    ExportOutcome outcome = new ExportOutcome(batches.rejected(), batches.firstProblem());
    CompletableFuture<ExportLogsServiceResponse> answer = new CompletableFuture<>();
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, failure) -> {
              try {
                for (int i = 0; i < sent.size(); i++) {
                  outcome.add(sent.get(i), answers.get(i));
                }
                answer.complete(outcome.answer());
              } catch (RuntimeException e) {
                answer.completeExceptionally(e); // the status to answer (ExportOutcome#answer)
              }
            });
    return answer;
  }

  /** The sink's future, with a synchronous throw turned into a failed future. */
  private CompletableFuture<ProduceResponse> sendSafely(ShardBatches.Batch b) {
    try {
      return sink.produce(b.request());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** An empty answer: every record was appended (or recognised as appended before). */
  static ExportLogsServiceResponse allAppended() {
    return ExportLogsServiceResponse.getDefaultInstance();
  }

  /** The answer that rejects {@code count} records for the reason {@code message}. */
  static ExportLogsServiceResponse rejected(long count, String message) {
    return ExportLogsServiceResponse.newBuilder()
        .setPartialSuccess(
            ExportLogsPartialSuccess.newBuilder()
                .setRejectedLogRecords(count)
                .setErrorMessage(message))
        .build();
  }

  /** The status a failure of the sink carries (the sink promises a StatusRuntimeException). */
  static Status statusOf(Throwable t) {
    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    return Status.fromThrowable(cause);
  }
}
