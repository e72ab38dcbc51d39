package io.raftlog.service;

import static io.raftlog.testkit.Records.batch;
import static io.raftlog.testkit.Records.idempotent;
import static io.raftlog.testkit.Records.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad request gets a precise status and a readable message, and leaves the log alone.
 */
class BadInputTest {
  static final int MAX_RECORD = 1024;
  static final int MAX_BATCH = 8 * 1024;

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void start() {
    cluster =
        InProcessCluster.start(
            dir,
            3,
            Map.of(
                ConfigKeys.MAX_RECORD_BYTES.name(), String.valueOf(MAX_RECORD),
                ConfigKeys.MAX_BATCH_BYTES.name(), String.valueOf(MAX_BATCH),
                ConfigKeys.MAX_INFLIGHT_BYTES.name(), String.valueOf(MAX_BATCH)),
            RaftlogServer::start);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static StatusRuntimeException fails(Status.Code code, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    String message = e.getStatus().getDescription();
    assertTrue(message != null && !message.contains("\tat "), "a message, not a stack trace");
    return e;
  }

  private static ProduceRequest withValueOfSize(int bytes) {
    return ProduceRequest.newBuilder()
        .addRecords(Record.newBuilder().setValue(ByteString.copyFrom(new byte[bytes])))
        .build();
  }

  /** Runs {@code bad} against a follower and the leader, and checks the log did not change. */
  private static void rejectedEverywhere(Status.Code code, String messagePart, ProduceRequest bad) {
    List<String> before =
        readAll(cluster.blocking(cluster.awaitLeader()), Consistency.LINEARIZABLE);
    for (String id : List.of(cluster.awaitLeader(), cluster.aFollower())) {
      var e = fails(code, () -> cluster.blocking(id).produce(bad));
      assertTrue(
          e.getStatus().getDescription().contains(messagePart), e.getStatus().getDescription());
    }
    assertEquals(
        before, readAll(cluster.blocking(cluster.awaitLeader()), Consistency.LINEARIZABLE));
  }

  @Test
  void anEmptyBatchIsInvalid() {
    rejectedEverywhere(
        Status.Code.INVALID_ARGUMENT, "no records", ProduceRequest.getDefaultInstance());
  }

  @Test
  void aRecordOverTheMaxSizeIsInvalid() {
    rejectedEverywhere(
        Status.Code.INVALID_ARGUMENT,
        "over the limit of " + MAX_RECORD,
        withValueOfSize(MAX_RECORD + 1));
    cluster
        .blocking(cluster.awaitLeader())
        .produce(withValueOfSize(MAX_RECORD)); // the limit itself is fine
  }

  @Test
  void aBatchOverTheMaxSizeIsInvalid() {
    ProduceRequest.Builder big = ProduceRequest.newBuilder();
    for (int i = 0; i < 9; i++) {
      big.addRecords(Record.newBuilder().setValue(ByteString.copyFrom(new byte[MAX_RECORD])));
    }
    rejectedEverywhere(Status.Code.INVALID_ARGUMENT, "log.max-batch-bytes", big.build());
  }

  @Test
  void aSequenceWithoutAProducerIsInvalid() {
    rejectedEverywhere(
        Status.Code.INVALID_ARGUMENT,
        "without a producer_id",
        batch("x").toBuilder().setSequence(3).build());
  }

  @Test
  void anOffsetPastTheEndIsOutOfRangeAndNamesTheNextOffset() {
    long next = cluster.blocking(cluster.awaitLeader()).produce(batch("x")).getBaseOffset() + 1;
    for (Consistency c : List.of(Consistency.LINEARIZABLE, Consistency.LOCAL)) {
      var e =
          fails(
              Status.Code.OUT_OF_RANGE,
              () ->
                  cluster
                      .blocking(cluster.awaitLeader())
                      .consume(
                          ConsumeRequest.newBuilder()
                              .setOffset(next + 5)
                              .setConsistency(c)
                              .build()));
      assertTrue(e.getStatus().getDescription().contains("next offset is " + next), e.getMessage());
    }
    var stream =
        cluster
            .blocking(cluster.aFollower())
            .consumeStream(ConsumeRequest.newBuilder().setOffset(1L << 40).build());
    fails(Status.Code.OUT_OF_RANGE, stream::hasNext);
  }

  @Test
  void anOutOfOrderSequenceIsAFailedPreconditionAndAppendsNothing() {
    long producer = 0xBADL;
    cluster.blocking(cluster.awaitLeader()).produce(idempotent(producer, 0, "first"));
    rejectedEverywhere(
        Status.Code.FAILED_PRECONDITION,
        "next expected sequence is 1",
        idempotent(producer, 2, "gap"));
  }

  @Test
  void overloadIsResourceExhaustedAndOnlyAcknowledgedBatchesAreInTheLog() throws Exception {
    String leader = cluster.awaitLeader();
    LogGrpc.LogFutureStub stub = LogGrpc.newFutureStub(cluster.channel(leader));
    List<String> before = readAll(cluster.blocking(leader), Consistency.LINEARIZABLE);
    // Each batch holds most of the in-flight allowance: concurrent ones cannot all fit.
    List<ListenableFuture<ProduceResponse>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ProduceRequest.Builder b = ProduceRequest.newBuilder();
      for (int r = 0; r < 6; r++) {
        b.addRecords(
            Record.newBuilder()
                .setValue(ByteString.copyFromUtf8(("ovl-" + i + "-" + r + "-").repeat(60))));
      }
      calls.add(stub.produce(b.build()));
    }
    int exhausted = 0;
    long acknowledgedRecords = 0;
    for (var call : calls) {
      try {
        acknowledgedRecords += call.get().getRecordCount();
      } catch (ExecutionException e) {
        Status s = Status.fromThrowable(e);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
        assertTrue(s.getDescription().contains("back off"), s.getDescription());
        exhausted++;
      }
    }
    assertTrue(exhausted > 0, "some of 40 concurrent near-limit batches must be turned away");
    assertFalse(acknowledgedRecords == 0, "some must get through");
    List<String> after = readAll(cluster.blocking(leader), Consistency.LINEARIZABLE);
    assertEquals(before.size() + acknowledgedRecords, after.size());
  }
}
