package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteConsumerRequest;
import io.raftlog.api.v1.GetConsumerRequest;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.ListConsumersRequest;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.Retention;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.api.v1.UpdateStreamRequest;
import io.raftlog.wire.StreamNames;
import io.raftlog.wire.WireLimits;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the node's request checks (stream names, produce limits, settings, retention, consumer
 * names, offsets, enum values and uint32 counts): whatever a client sends, they either accept it or
 * throw INVALID_ARGUMENT with a short readable message, never another exception. In {@code mvn
 * verify} these run once over the seeds in {@code
 * src/test/resources/io/raftlog/service/RequestValidationFuzzTestInputs/}; docs/testing.md says how
 * to fuzz for a while.
 */
class RequestValidationFuzzTest {
  static final int MAX_RECORD = 1024;
  static final int MAX_BATCH = 16 * 1024;
  final ProduceLimits limits = new ProduceLimits(MAX_RECORD, MAX_BATCH);

  /** A produce request as a client could encode it: any bytes that parse as one. */
  @FuzzTest(maxDuration = "2m")
  void produceRequestBytes(byte[] bytes) {
    ProduceRequest request;
    try {
      request = ProduceRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException notAProduceRequest) {
      return; // gRPC refuses these before the service sees them
    }
    checkProduce(request);
  }

  /** A produce request built field by field, so names, sizes and parts reach the checks often. */
  @FuzzTest(maxDuration = "2m")
  void produceRequestFields(FuzzedDataProvider data) {
    ProduceRequest.Builder b = ProduceRequest.newBuilder();
    if (data.consumeBoolean()) {
      b.setProducerId(data.consumeLong()).setSequence(data.consumeLong());
    }
    int parts = data.consumeInt(0, 4);
    if (parts == 0) {
      b.setStream(data.consumeString(300));
      if (data.consumeBoolean()) {
        b.setExpectedOffset(data.consumeLong());
      }
      addRecords(data, b::addRecords);
    } else {
      for (int i = 0; i < parts; i++) {
        StreamRecords.Builder p = StreamRecords.newBuilder().setStream(data.consumeString(300));
        addRecords(data, p::addRecords);
        b.addParts(p);
      }
    }
    checkProduce(b.build());
  }

  @FuzzTest(maxDuration = "2m")
  void streamNamesAndSettings(FuzzedDataProvider data) {
    String name = data.consumeString(600);
    try {
      String checked = Routes.streamName(name);
      assertTrue(StreamNames.isValid(checked));
      assertTrue(checked.length() <= StreamNames.MAX_BYTES);
      StreamNames.slotOf(checked);
    } catch (StatusRuntimeException e) {
      assertInvalid(e);
    }
    Map<String, String> settings = new HashMap<>();
    int n = data.consumeInt(0, 40);
    for (int i = 0; i < n; i++) {
      settings.put(data.consumeString(100), data.consumeString(1100));
    }
    try {
      StreamSettingsRule.check(settings);
    } catch (StatusRuntimeException e) {
      assertInvalid(e);
    }
    int value = data.consumeInt();
    try {
      assertEquals(value, RequestChecks.consistency(value).getNumber());
    } catch (StatusRuntimeException e) {
      assertInvalid(e);
    }
    int max = RequestChecks.maxRecords(data.consumeInt());
    assertTrue(max >= 1 && max <= WireLimits.MAX_RECORDS, "max records " + max);
    int page = RequestChecks.pageSize(data.consumeInt(), 100, 1000);
    assertTrue(page >= 1 && page <= 1000, "page " + page);
  }

  /**
   * Each request type issue 20 added, built from the fuzzer's bytes, through the checks its call
   * runs before anything is routed: accepted with values in range, or INVALID_ARGUMENT
   * (OUT_OF_RANGE for an offset of 2^63 or more) with a short message.
   */
  @FuzzTest(maxDuration = "2m")
  void retentionConsumerAndReadRequests(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    // The same bytes as each type: a type they do not parse as is refused by gRPC before the
    // service sees it (MalformedRequests), so it is skipped here.
    CreateStreamRequest create = parsed(CreateStreamRequest.parser(), bytes);
    if (create != null) {
      checked(() -> retention(create.getRetention()));
    }
    UpdateStreamRequest update = parsed(UpdateStreamRequest.parser(), bytes);
    if (update != null) {
      checked(() -> retention(update.getRetention()));
    }
    TruncateRequest truncate = parsed(TruncateRequest.parser(), bytes);
    if (truncate != null) {
      checked(
          () -> {
            Routes.explicitStreamName(truncate.getStream());
            assertTrue(RequestChecks.writeOffset("before_offset", truncate.getBeforeOffset()) >= 0);
          });
    }
    CommitOffsetRequest commit = parsed(CommitOffsetRequest.parser(), bytes);
    if (commit != null) {
      checked(
          () -> {
            assertTrue(StreamNames.isValid(RequestChecks.consumerName(commit.getConsumer())));
            assertTrue(RequestChecks.writeOffset("offset", commit.getOffset()) >= 0);
          });
    }
    GetConsumerRequest get = parsed(GetConsumerRequest.parser(), bytes);
    if (get != null) {
      checked(
          () -> {
            RequestChecks.consumerName(get.getConsumer());
            RequestChecks.consistency(get.getConsistencyValue());
          });
    }
    ListConsumersRequest list = parsed(ListConsumersRequest.parser(), bytes);
    if (list != null) {
      checked(
          () -> {
            int page = RequestChecks.pageSize(list.getPageSize(), 100, 1000);
            assertTrue(page >= 1 && page <= 1000, "page " + page);
            RequestChecks.consistency(list.getConsistencyValue());
          });
    }
    DeleteConsumerRequest delete = parsed(DeleteConsumerRequest.parser(), bytes);
    if (delete != null) {
      checked(() -> RequestChecks.consumerName(delete.getConsumer()));
    }
    ConsumeRequest consume = parsed(ConsumeRequest.parser(), bytes);
    if (consume != null) {
      checked(
          () -> {
            RequestChecks.consume(consume);
            assertTrue(!consume.hasFromTimestampMs() || consume.getFromTimestampMs() >= 0);
            assertEquals(
                consume.getResetValue(), RequestChecks.reset(consume.getResetValue()).getNumber());
          });
    }
  }

  private static <T> T parsed(com.google.protobuf.Parser<T> parser, byte[] bytes) {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException notOfThatType) {
      return null;
    }
  }

  /** An accepted retention has every limit it holds in range. */
  private static void retention(Retention r) {
    RetentionRule.check(r);
    assertTrue(Long.compareUnsigned(r.getMaxAgeMs(), RetentionRule.MAX_AGE_MS) <= 0);
    assertTrue(Long.compareUnsigned(r.getMaxBytes(), RetentionRule.MAX_BYTES) <= 0);
    assertTrue(Long.compareUnsigned(r.getMaxRecords(), RetentionRule.MAX_RECORDS) <= 0);
  }

  /** Runs a check that either passes or refuses with a short INVALID_ARGUMENT or OUT_OF_RANGE. */
  private static void checked(Runnable check) {
    try {
      check.run();
    } catch (StatusRuntimeException e) {
      Status s = e.getStatus();
      assertTrue(
          s.getCode() == Status.Code.INVALID_ARGUMENT || s.getCode() == Status.Code.OUT_OF_RANGE,
          s.toString());
      assertNotNull(s.getDescription());
      assertTrue(s.getDescription().length() < 1024, "message of " + s.getDescription().length());
    }
  }

  private void checkProduce(ProduceRequest request) {
    List<StreamRecords> parts;
    try {
      parts = limits.check(request);
    } catch (StatusRuntimeException e) {
      assertInvalid(e);
      return;
    }
    // Accepted: every part has records, a valid name, and no record over the limit.
    assertTrue(request.getSerializedSize() <= MAX_BATCH);
    for (StreamRecords p : parts) {
      assertTrue(StreamNames.isValid(p.getStream()), p.getStream());
      assertTrue(p.getRecordsCount() > 0);
      for (Record r : p.getRecordsList()) {
        long bytes = r.getValue().size() + r.getKey().size();
        for (Header h : r.getHeadersList()) {
          bytes += h.getKeyBytes().size() + h.getValue().size();
        }
        assertTrue(bytes <= MAX_RECORD, "record of " + bytes + " bytes accepted");
      }
    }
  }

  private static void addRecords(FuzzedDataProvider data, java.util.function.Consumer<Record> add) {
    int n = data.consumeInt(0, 5);
    for (int i = 0; i < n; i++) {
      Record.Builder r =
          Record.newBuilder()
              .setValue(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 1200))))
              .setKey(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 600))));
      int headers = data.consumeInt(0, 3);
      for (int h = 0; h < headers; h++) {
        r.addHeaders(
            Header.newBuilder()
                .setKey(data.consumeString(700))
                .setValue(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 300)))));
      }
      add.accept(r.build());
    }
  }

  static void assertInvalid(StatusRuntimeException e) {
    Status s = e.getStatus();
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
    assertNotNull(s.getDescription());
    assertTrue(s.getDescription().length() < 1024, "message of " + s.getDescription().length());
  }
}
