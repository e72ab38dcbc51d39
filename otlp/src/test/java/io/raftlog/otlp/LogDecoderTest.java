package io.raftlog.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.Record;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Records in each of LogValues' forms decode back to the log they keep. */
class LogDecoderTest {
  static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  static ResourceLogs resource(String service) {
    return ResourceLogs.newBuilder()
        .setResource(
            Resource.newBuilder()
                .addAttributes(kv("service.name", str(service)))
                .addAttributes(kv("host.name", str("h1"))))
        .build();
  }

  static final ScopeLogs SCOPE =
      ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName("s")).build();

  static Record withOffset(Record r, long timestampMs) {
    return r.toBuilder().setOffset(7).setTimestampMs(timestampMs).build();
  }

  @Test
  void otlpRecordGivesItsLogWithResourceIdsAndRenderedValues() throws Exception {
    LogRecord log =
        LogRecord.newBuilder()
            .setTimeUnixNano(1_764_961_200_123_456_789L)
            .setObservedTimeUnixNano(1_764_961_201_000_000_000L)
            .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN2)
            .setSeverityText("warning")
            .setBody(str("card declined"))
            .addAttributes(kv("order", AnyValue.newBuilder().setIntValue(42).build()))
            .addAttributes(kv("retry", AnyValue.newBuilder().setBoolValue(true).build()))
            .addAttributes(kv("ratio", AnyValue.newBuilder().setDoubleValue(0.5).build()))
            .addAttributes(kv("order", str("a second value, ignored")))
            .addAttributes(
                kv(
                    "raw",
                    AnyValue.newBuilder()
                        .setBytesValue(ByteString.copyFrom(new byte[] {0, 1, -1}))
                        .build()))
            .addAttributes(kv("none", AnyValue.getDefaultInstance()))
            .setTraceId(ByteString.copyFrom(new byte[] {0x0a, (byte) 0xbc, 0, 1}))
            .setSpanId(ByteString.copyFrom(new byte[] {(byte) 0xff, 2}))
            .build();
    Record r = withOffset(LogValues.otlp(resource("checkout"), SCOPE, log), 5);
    assertTrue(LogDecoder.isLog(r));

    LogEntry e = LogDecoder.decode(r);
    assertEquals(1_764_961_200_123_456_789L, e.timeUnixNano());
    assertEquals(14, e.severityNumber());
    assertEquals("warning", e.severityText());
    assertEquals("card declined", e.body());
    assertEquals(
        Map.of("order", "42", "retry", "true", "ratio", "0.5", "raw", "AAH/", "none", ""),
        e.attributes());
    assertEquals(Map.of("service.name", "checkout", "host.name", "h1"), e.resource());
    assertEquals("checkout", e.service());
    assertEquals("0abc0001", e.traceId());
    assertEquals("ff02", e.spanId());
  }

  @Test
  void otlpBodyThatIsNotAStringIsRenderedAsJson() throws Exception {
    AnyValue body =
        AnyValue.newBuilder()
            .setKvlistValue(
                KeyValueList.newBuilder()
                    .addValues(kv("msg", str("a \"quoted\" word")))
                    .addValues(
                        kv(
                            "list",
                            AnyValue.newBuilder()
                                .setArrayValue(
                                    ArrayValue.newBuilder()
                                        .addValues(AnyValue.newBuilder().setIntValue(-1))
                                        .addValues(AnyValue.newBuilder().setDoubleValue(1.5))
                                        .addValues(
                                            AnyValue.newBuilder()
                                                .setDoubleValue(Double.POSITIVE_INFINITY))
                                        .addValues(
                                            AnyValue.newBuilder()
                                                .setBytesValue(ByteString.copyFromUtf8("hi")))
                                        .addValues(AnyValue.newBuilder().setBoolValue(false))
                                        .addValues(AnyValue.getDefaultInstance()))
                                .build())))
            .build();
    LogRecord log = LogRecord.newBuilder().setTimeUnixNano(1).setBody(body).build();
    LogEntry e = LogDecoder.decode(LogValues.otlp(resource("a"), SCOPE, log));
    assertEquals(
        "{\"msg\":\"a \\\"quoted\\\" word\",\"list\":[-1,1.5,\"Infinity\",\"aGk=\",false,null]}",
        e.body());
  }

  @Test
  void otlpTimeFallsBackToObservedThenToTheRecordsTimestamp() throws Exception {
    LogRecord observed = LogRecord.newBuilder().setObservedTimeUnixNano(5_000_000_123L).build();
    assertEquals(
        5_000_000_123L,
        LogDecoder.decode(withOffset(LogValues.otlp(resource("a"), SCOPE, observed), 9))
            .timeUnixNano());
    LogRecord none = LogRecord.newBuilder().setBody(str("x")).build();
    assertEquals(
        9_000_000L,
        LogDecoder.decode(withOffset(LogValues.otlp(resource("a"), SCOPE, none), 9))
            .timeUnixNano());
  }

  @Test
  void otlpWithSeveralRecordsGivesTheFirst() throws Exception {
    ResourceLogs two =
        resource("a").toBuilder()
            .addScopeLogs(ScopeLogs.newBuilder())
            .addScopeLogs(
                ScopeLogs.newBuilder()
                    .addLogRecords(LogRecord.newBuilder().setBody(str("first")))
                    .addLogRecords(LogRecord.newBuilder().setBody(str("second"))))
            .build();
    Record r =
        LogValues.otlp(resource("a"), SCOPE, LogRecord.getDefaultInstance()).toBuilder()
            .setValue(two.toByteString())
            .build();
    assertEquals("first", LogDecoder.decode(r).body());
  }

  @Test
  void otlpValueThatIsNotProtobufSaysSoInOneLine() {
    Record garbage =
        LogValues.otlp(resource("a"), SCOPE, LogRecord.getDefaultInstance()).toBuilder()
            .setValue(ByteString.copyFrom(new byte[] {(byte) 0x0a, (byte) 0xff}))
            .build();
    UnreadableLogException e =
        assertThrows(UnreadableLogException.class, () -> LogDecoder.decode(garbage));
    assertTrue(e.getMessage().startsWith("the value is not an OTLP ResourceLogs"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());

    Record empty = garbage.toBuilder().setValue(resource("a").toByteString()).build();
    e = assertThrows(UnreadableLogException.class, () -> LogDecoder.decode(empty));
    assertEquals(
        "the value is an OTLP ResourceLogs with no log record"
            + " (content-type application/x-otlp-log+protobuf)",
        e.getMessage());
  }

  @Test
  void jsonRecordGivesItsLogAndTakesTheRecordsTimeWhenItHasNone() throws Exception {
    LogEntry log = new LogEntry(0, 17, "ERROR", "boom", Map.of("k", "v"), Map.of(), "", "");
    Record r = withOffset(LogValues.json(log), 1234);
    assertTrue(LogDecoder.isLog(r));
    assertEquals(
        new LogEntry(1_234_000_000L, 17, "ERROR", "boom", Map.of("k", "v"), Map.of(), "", ""),
        LogDecoder.decode(r));
  }

  @Test
  void contentTypeIsMatchedWithoutParametersOrCase() throws Exception {
    Record r =
        Record.newBuilder()
            .setValue(ByteString.copyFromUtf8("{\"body\":\"b\"}"))
            .addHeaders(header("Application/JSON; charset=utf-8"))
            .build();
    assertTrue(LogDecoder.isLog(r));
    assertEquals("b", LogDecoder.decode(r).body());
  }

  @Test
  void jsonValueThatIsNotAJsonLogSaysSo() {
    Record notJson =
        Record.newBuilder()
            .setValue(ByteString.copyFromUtf8("{\"body\": oops}"))
            .addHeaders(header(LogValues.JSON))
            .build();
    UnreadableLogException e =
        assertThrows(UnreadableLogException.class, () -> LogDecoder.decode(notJson));
    assertTrue(
        e.getMessage()
            .startsWith("the value is not a JSON log, as its content-type application/json says: "),
        e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());

    Record notUtf8 =
        notJson.toBuilder().setValue(ByteString.copyFrom(new byte[] {'{', (byte) 0xc3})).build();
    e = assertThrows(UnreadableLogException.class, () -> LogDecoder.decode(notUtf8));
    assertEquals(
        "the value is not UTF-8 text, as its content-type application/json says", e.getMessage());
  }

  @Test
  void recordWithoutContentTypeIsATextLineTimedByTheRecord() throws Exception {
    Record line =
        Record.newBuilder()
            .setTimestampMs(1500)
            .setValue(ByteString.copyFromUtf8("12:00 WARN disk full"))
            .build();
    assertFalse(LogDecoder.isLog(line));
    assertEquals(
        new LogEntry(1_500_000_000L, 0, "", "12:00 WARN disk full", Map.of(), Map.of(), "", ""),
        LogDecoder.decode(line));
    Record other = line.toBuilder().addHeaders(header("text/plain")).build();
    assertFalse(LogDecoder.isLog(other));
    assertEquals("12:00 WARN disk full", LogDecoder.decode(other).body());
  }

  static Header header(String contentType) {
    return Header.newBuilder()
        .setKey(LogValues.CONTENT_TYPE)
        .setValue(ByteString.copyFromUtf8(contentType))
        .build();
  }
}
