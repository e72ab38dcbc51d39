package io.raftlog.collector;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.raftlog.api.v1.ProduceResponse;
import java.util.concurrent.CompletableFuture;

/**
 * What an export's shard batches came to, as OTLP's answer (the spec's "OTLP/gRPC Response" and its
 * retryable codes):
 *
 * <ul>
 *   <li>every batch appended (or recognised as appended before): success;
 *   <li>a batch refused for good (its stream does not exist and {@code streams.auto-create} is off,
 *       or any other answer that a retry would get again): its records are rejected, and the answer
 *       is {@code partial_success} with the count and the first reason, the rest being appended;
 *   <li>a batch the sink could not take now for lack of room (in-flight limit, disk full): {@code
 *       RESOURCE_EXHAUSTED} with a {@link RetryInfo} of {@link #RETRY_DELAY_SECONDS}, since the
 *       spec makes that code retryable only with one;
 *   <li>a batch whose fate is unknown or that found no leader (no leader, leadership lost before
 *       the commit, a forwarded call cut, the node shutting down): {@code UNAVAILABLE} for the
 *       whole export, so the exporter retries it; the retry's batches carry the same producer ids
 *       ({@link ContentHash}), so those appended this time are answered as duplicates.
 * </ul>
 *
 * Filled on one thread, after every batch's future completed.
 */
final class ExportOutcome {
  /** How long an exporter waits after RESOURCE_EXHAUSTED. */
  static final int RETRY_DELAY_SECONDS = 1;

  private long rejected;
  private String firstProblem;
  private int appended;
  private Status exhausted; // the first RESOURCE_EXHAUSTED, if any
  private Status retryable; // the first failure whose retry can succeed, if any
  private ShardBatches.Batch retryableBatch;

  ExportOutcome(long rejected, String firstProblem) {
    this.rejected = rejected;
    this.firstProblem = firstProblem;
  }

  /** Takes one batch's completed answer into account. */
  void add(ShardBatches.Batch batch, CompletableFuture<ProduceResponse> answer) {
    if (!answer.isCompletedExceptionally()) {
      appended++;
      return;
    }
    Status s = LogsIngest.statusOf(answer.handle((r, t) -> t).join());
    switch (s.getCode()) {
      case RESOURCE_EXHAUSTED -> {
        if (exhausted == null) {
          exhausted = s;
        }
      }
      // The batch may or may not be appended, or found no leader: a retry settles it.
      case CANCELLED, DEADLINE_EXCEEDED, ABORTED, UNAVAILABLE, DATA_LOSS, INTERNAL, UNKNOWN -> {
        if (retryable == null) {
          retryable = s;
          retryableBatch = batch;
        }
      }
      // Refused for good (NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION, ...): a retry would
      // be refused the same, so these records are rejected and the others kept.
      default -> {
        rejected += batch.records();
        if (firstProblem == null) {
          firstProblem =
              batch.records()
                  + " log records for "
                  + streams(batch)
                  + " were refused: "
                  + s.getCode()
                  + ": "
                  + s.getDescription();
        }
      }
    }
  }

  /** The answer: a response, or a failed future with the status to answer. */
  ExportLogsServiceResponse answer() {
    if (exhausted != null) {
      throw exhausted(exhausted);
    }
    if (retryable != null) {
      throw Status.UNAVAILABLE
          .withDescription(
              "the log records for "
                  + streams(retryableBatch)
                  + " are not appended yet ("
                  + retryable.getCode()
                  + ": "
                  + retryable.getDescription()
                  + "); "
                  + appended
                  + " other shard batches were. Retry the same export: what was appended is"
                  + " recognised and not appended twice")
          .asRuntimeException();
    }
    if (rejected == 0) {
      return LogsIngest.allAppended();
    }
    return LogsIngest.rejected(
        rejected, rejected == 1 ? firstProblem : firstProblem + " (" + rejected + " rejected)");
  }

  /** RESOURCE_EXHAUSTED with a RetryInfo, as the OTLP spec needs to make it retryable. */
  private static StatusRuntimeException exhausted(Status cause) {
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
            .setMessage(
                cause.getDescription()
                    + " (retry this export after "
                    + RETRY_DELAY_SECONDS
                    + " s: what was appended is recognised and not appended twice)")
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(Duration.newBuilder().setSeconds(RETRY_DELAY_SECONDS))
                        .build()))
            .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  private static String streams(ShardBatches.Batch batch) {
    var streams = batch.streams();
    return streams.size() == 1 ? "stream " + streams.get(0) : "streams " + streams;
  }
}
