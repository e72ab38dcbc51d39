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
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumerInfo;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteConsumerRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.GetConsumerRequest;
import io.raftlog.api.v1.ListConsumersRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.Retention;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.api.v1.UpdateStreamRequest;
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

  // Issue 20: retention, Truncate, named consumers, reads below the first offset and by time.

  private static LogGrpc.LogBlockingStub anyNode() {
    return cluster.blocking(cluster.aFollower());
  }

  private static StreamInfo describe(String stream) {
    return cluster
        .blocking(cluster.awaitLeader(stream))
        .describeStream(
            DescribeStreamRequest.newBuilder()
                .setStream(stream)
                .setConsistency(Consistency.LINEARIZABLE)
                .build());
  }

  /** A stream of {@code records} records, its first {@code truncated} removed. */
  private static void streamOf(String stream, int records, long truncated) {
    var leader = cluster.blocking(cluster.awaitLeader(stream));
    leader.createStream(CreateStreamRequest.newBuilder().setStream(stream).build());
    for (int i = 0; i < records; i++) {
      leader.produce(batch("r" + i).toBuilder().setStream(stream).build());
    }
    if (truncated > 0) {
      leader.truncate(
          TruncateRequest.newBuilder().setStream(stream).setBeforeOffset(truncated).build());
    }
  }

  @Test
  void absurdRetentionValuesAreInvalidNameTheFieldAndChangeNothing() {
    String stream = "bad-retention";
    anyNode()
        .createStream(
            CreateStreamRequest.newBuilder()
                .setStream(stream)
                .setRetention(Retention.newBuilder().setMaxRecords(10))
                .build());
    StreamInfo before = describe(stream);
    Map<String, Retention> bad =
        Map.of(
            "retention.max_age_ms",
                Retention.newBuilder().setMaxAgeMs(101L * 366 * 86_400_000).build(),
            "retention.max_bytes", Retention.newBuilder().setMaxBytes((1L << 62) + 1).build(),
            "retention.max_records", Retention.newBuilder().setMaxRecords(-1L).build());
    for (var e : bad.entrySet()) {
      var update =
          fails(
              Status.Code.INVALID_ARGUMENT,
              () ->
                  anyNode()
                      .updateStream(
                          UpdateStreamRequest.newBuilder()
                              .setStream(stream)
                              .setRetention(e.getValue())
                              .build()));
      assertTrue(update.getStatus().getDescription().startsWith(e.getKey()), update.getMessage());
      var create =
          fails(
              Status.Code.INVALID_ARGUMENT,
              () ->
                  anyNode()
                      .createStream(
                          CreateStreamRequest.newBuilder()
                              .setStream("bad-retention-new")
                              .setRetention(e.getValue())
                              .build()));
      assertTrue(create.getStatus().getDescription().contains(e.getKey()), create.getMessage());
    }
    assertEquals(before, describe(stream));
    fails(Status.Code.NOT_FOUND, () -> describe("bad-retention-new"));
  }

  @Test
  void aConsumerNameOutsideTheStreamNameRuleIsInvalidAndNamesTheField() {
    String stream = "bad-consumer";
    streamOf(stream, 3, 0);
    for (String name : List.of("", "has space", "x".repeat(256), "t\u00e9st")) {
      var commit =
          fails(
              Status.Code.INVALID_ARGUMENT,
              () ->
                  anyNode()
                      .commitOffset(
                          CommitOffsetRequest.newBuilder()
                              .setStream(stream)
                              .setConsumer(name)
                              .setOffset(1)
                              .build()));
      assertTrue(commit.getStatus().getDescription().startsWith("consumer: "), commit.getMessage());
      fails(
          Status.Code.INVALID_ARGUMENT,
          () ->
              anyNode()
                  .getConsumer(
                      GetConsumerRequest.newBuilder().setStream(stream).setConsumer(name).build()));
      fails(
          Status.Code.INVALID_ARGUMENT,
          () ->
              anyNode()
                  .deleteConsumer(
                      DeleteConsumerRequest.newBuilder()
                          .setStream(stream)
                          .setConsumer(name)
                          .build()));
    }
    assertEquals(
        0,
        anyNode()
            .listConsumers(
                ListConsumersRequest.newBuilder()
                    .setStream(stream)
                    .setConsistency(Consistency.LINEARIZABLE)
                    .build())
            .getConsumersCount());
  }

  @Test
  void aTruncatePastTheNextOffsetIsOutOfRangeNamesFirstAndNextAndChangesNothing() {
    String stream = "bad-truncate";
    streamOf(stream, 5, 2);
    StreamInfo before = describe(stream);
    for (long past : List.of(6L, 1L << 40, -1L)) {
      var e =
          fails(
              Status.Code.OUT_OF_RANGE,
              () ->
                  anyNode()
                      .truncate(
                          TruncateRequest.newBuilder()
                              .setStream(stream)
                              .setBeforeOffset(past)
                              .build()));
      String m = e.getStatus().getDescription();
      assertTrue(m.startsWith("before_offset " + Long.toUnsignedString(past)), m);
      if (past == 6L) {
        assertTrue(m.contains("first offset 2, next offset 5"), m);
      }
    }
    assertEquals(before, describe(stream));
  }

  @Test
  void aCommitPastTheNextOffsetOrBackwardsWithoutForceIsRefusedAndChangesNothing() {
    String stream = "bad-commit";
    streamOf(stream, 5, 0);
    CommitOffsetRequest at3 =
        CommitOffsetRequest.newBuilder().setStream(stream).setConsumer("c").setOffset(3).build();
    ConsumerInfo stored = anyNode().commitOffset(at3);
    var past =
        fails(
            Status.Code.OUT_OF_RANGE,
            () -> anyNode().commitOffset(at3.toBuilder().setOffset(6).build()));
    assertTrue(past.getStatus().getDescription().contains("next offset 5"), past.getMessage());
    fails(
        Status.Code.OUT_OF_RANGE,
        () -> anyNode().commitOffset(at3.toBuilder().setOffset(-1L).build()));
    fails(
        Status.Code.FAILED_PRECONDITION,
        () -> anyNode().commitOffset(at3.toBuilder().setOffset(2).build()));
    fails(
        Status.Code.NOT_FOUND,
        () -> anyNode().commitOffset(at3.toBuilder().setStream("bad-commit-none").build()));
    GetConsumerRequest get =
        GetConsumerRequest.newBuilder()
            .setStream(stream)
            .setConsumer("c")
            .setConsistency(Consistency.LINEARIZABLE)
            .build();
    assertEquals(stored, anyNode().getConsumer(get));
    // A rewind is explicit.
    assertEquals(
        2,
        anyNode()
            .commitOffset(at3.toBuilder().setOffset(2).setForce(true).build())
            .getCommittedOffset());
  }

  @Test
  void aReadBelowTheFirstOffsetIsOutOfRangeAndNamesTheStreamsOffsets() {
    String stream = "bad-below-first";
    streamOf(stream, 8, 5);
    String expected =
        "offset 2 of stream 'bad-below-first' was removed by retention or Truncate: the stream"
            + " holds offsets 5 to 7 (next offset 8); read from 5, or set reset to"
            + " OFFSET_RESET_EARLIEST or OFFSET_RESET_LATEST";
    ConsumeRequest below = ConsumeRequest.newBuilder().setStream(stream).setOffset(2).build();
    for (Consistency c : List.of(Consistency.LINEARIZABLE, Consistency.LOCAL)) {
      var e =
          fails(
              Status.Code.OUT_OF_RANGE,
              () -> anyNode().consume(below.toBuilder().setConsistency(c).build()));
      assertEquals(expected, e.getStatus().getDescription());
    }
    var tail = anyNode().consumeStream(below);
    var e = fails(Status.Code.OUT_OF_RANGE, tail::hasNext);
    assertEquals(expected, e.getStatus().getDescription());
  }

  @Test
  void anUnknownResetOrANegativeStartTimeIsInvalid() {
    ConsumeRequest unknown = ConsumeRequest.newBuilder().setResetValue(7).build();
    var e = fails(Status.Code.INVALID_ARGUMENT, () -> anyNode().consume(unknown));
    assertTrue(e.getStatus().getDescription().startsWith("unknown reset 7"), e.getMessage());
    fails(Status.Code.INVALID_ARGUMENT, () -> anyNode().consumeStream(unknown).hasNext());
    ConsumeRequest negative = ConsumeRequest.newBuilder().setFromTimestampMs(-1).build();
    e = fails(Status.Code.INVALID_ARGUMENT, () -> anyNode().consume(negative));
    assertTrue(e.getStatus().getDescription().startsWith("from_timestamp_ms"), e.getMessage());
    fails(Status.Code.INVALID_ARGUMENT, () -> anyNode().consumeStream(negative).hasNext());
  }
}
