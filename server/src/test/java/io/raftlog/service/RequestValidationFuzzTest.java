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
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.wire.StreamNames;
import io.raftlog.wire.WireLimits;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the node's request checks (stream names, produce limits, settings, enum values and uint32
 * counts): whatever a client sends, they either accept it or throw INVALID_ARGUMENT with a short
 * readable message, never another exception. In {@code mvn verify} these run once over the seeds in
 * {@code src/test/resources/io/raftlog/service/RequestValidationFuzzTestInputs/}; docs/testing.md
 * says how to fuzz for a while.
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
