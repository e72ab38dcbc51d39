package io.raftlog.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The status an export is answered with when a shard batch fails, by what the sink said: the codes
 * a node's produce path answers (LogsIngestTest shows the same through a real node for the answers
 * a test can provoke there: a missing stream, an oversize record and batch).
 */
class ExportOutcomeTest {
  @Test
  void resourceExhaustedCarriesRetryInfoSoExportersRetryIt() throws Exception {
    ExportOutcome outcome = new ExportOutcome(0, null);
    outcome.add(batch("logs.a"), appended());
    outcome.add(batch("logs.b"), failed(Status.RESOURCE_EXHAUSTED.withDescription("disk full")));

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, outcome::answer);

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    RetryInfo retry = details.getDetails(0).unpack(RetryInfo.class);
    assertEquals(ExportOutcome.RETRY_DELAY_SECONDS, retry.getRetryDelay().getSeconds());
    assertTrue(e.getStatus().getDescription().startsWith("disk full"), e.getMessage());
  }

  @Test
  void aBatchWhoseFateIsUnknownMakesTheWholeExportUnavailable() {
    for (Status.Code code :
        new Status.Code[] {
          Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.CANCELLED,
          Status.Code.ABORTED, Status.Code.INTERNAL, Status.Code.UNKNOWN
        }) {
      ExportOutcome outcome = new ExportOutcome(0, null);
      outcome.add(batch("logs.a"), appended());
      outcome.add(batch("logs.b"), failed(code.toStatus().withDescription("leader changed")));

      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, outcome::answer);

      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), code.name());
      String why = e.getStatus().getDescription();
      assertTrue(why.contains("logs.b") && why.contains("leader changed"), why);
    }
  }

  @Test
  void aRefusedBatchIsPartialSuccessAddedToTheRecordsLeftOut() {
    ExportOutcome outcome = new ExportOutcome(1, "log record 3 of resource_logs 0 is too big");
    outcome.add(batch("logs.a", "logs.c"), failed(Status.NOT_FOUND.withDescription("gone")));
    outcome.add(batch("logs.b"), appended());

    var answer = outcome.answer();

    assertEquals(3, answer.getPartialSuccess().getRejectedLogRecords());
    assertEquals(
        "log record 3 of resource_logs 0 is too big (3 rejected)",
        answer.getPartialSuccess().getErrorMessage());
  }

  static ShardBatches.Batch batch(String... streams) {
    ProduceRequest.Builder b = ProduceRequest.newBuilder();
    for (String s : streams) {
      b.addParts(StreamRecords.newBuilder().setStream(s).addRecords(Record.getDefaultInstance()));
    }
    return new ShardBatches.Batch(0, b.build(), streams.length);
  }

  static CompletableFuture<ProduceResponse> appended() {
    return CompletableFuture.completedFuture(ProduceResponse.getDefaultInstance());
  }

  static CompletableFuture<ProduceResponse> failed(Status s) {
    return CompletableFuture.failedFuture(s.asRuntimeException());
  }
}
