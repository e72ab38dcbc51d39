package io.raftlog.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.raftlog.api.v1.Record;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a record back into the log it keeps ({@link LogValues}), whatever its form:
 *
 * <ul>
 *   <li>{@link LogValues#OTLP}: the first log record of the {@code ResourceLogs} (there is exactly
 *       one in what raftlog writes), with its resource's attributes; body and attribute values as
 *       {@link AnyValueText} renders them, trace and span ids in lowercase hex; its time is {@code
 *       time_unix_nano}, else {@code observed_time_unix_nano}, else the record's timestamp.
 *   <li>{@link LogValues#JSON}: {@link LogJson#read}; with no {@code time}, the record's timestamp.
 *   <li>anything else (no {@code content-type}, as {@code raftlog tail} writes, or one that names
 *       no log form): a text line, the value as UTF-8, timed by the record, with no severity, no
 *       attributes and no resource.
 * </ul>
 *
 * The header's media type is compared without its parameters and case ({@code application/json;
 * charset=utf-8} is JSON). Stateless; any thread.
 */
public final class LogDecoder {
  private LogDecoder() {}

  /** Whether {@code r} keeps a structured log (OTLP or JSON), not a text line. */
  public static boolean isLog(Record r) {
    String type = mediaType(r);
    return LogValues.OTLP.equals(type) || LogValues.JSON.equals(type);
  }

  /**
   * The log {@code r} keeps; throws, saying why in one line, when its value is not in the form its
   * {@code content-type} names.
   */
  public static LogEntry decode(Record r) throws UnreadableLogException {
    String type = mediaType(r);
    if (LogValues.OTLP.equals(type)) {
      return otlp(r);
    }
    if (LogValues.JSON.equals(type)) {
      return json(r);
    }
    return text(r);
  }

  /** {@code r}'s value as a text line, whatever its headers say. */
  public static LogEntry text(Record r) {
    return new LogEntry(
        r.getTimestampMs() * 1_000_000,
        0,
        "",
        r.getValue().toStringUtf8(),
        Map.of(),
        Map.of(),
        "",
        "");
  }

  private static LogEntry otlp(Record r) throws UnreadableLogException {
    ResourceLogs resourceLogs;
    try {
      resourceLogs = ResourceLogs.parseFrom(r.getValue());
    } catch (InvalidProtocolBufferException e) {
      throw new UnreadableLogException(
          "the value is not an OTLP ResourceLogs, as its content-type "
              + LogValues.OTLP
              + " says: "
              + e.getMessage());
    }
    LogRecord log = null;
    for (ScopeLogs scope : resourceLogs.getScopeLogsList()) {
      if (scope.getLogRecordsCount() > 0) {
        log = scope.getLogRecords(0);
        break;
      }
    }
    if (log == null) {
      throw new UnreadableLogException(
          "the value is an OTLP ResourceLogs with no log record (content-type "
              + LogValues.OTLP
              + ")");
    }
    long time =
        log.getTimeUnixNano() != 0
            ? log.getTimeUnixNano()
            : log.getObservedTimeUnixNano() != 0
                ? log.getObservedTimeUnixNano()
                : r.getTimestampMs() * 1_000_000;
    return new LogEntry(
        time,
        log.getSeverityNumberValue(),
        log.getSeverityText(),
        AnyValueText.text(log.getBody()),
        attributes(log.getAttributesList()),
        attributes(resourceLogs.getResource().getAttributesList()),
        hex(log.getTraceId()),
        hex(log.getSpanId()));
  }

  private static LogEntry json(Record r) throws UnreadableLogException {
    if (!r.getValue().isValidUtf8()) {
      throw new UnreadableLogException(
          "the value is not UTF-8 text, as its content-type " + LogValues.JSON + " says");
    }
    LogEntry log;
    try {
      log = LogJson.read(r.getValue().toStringUtf8());
    } catch (IllegalArgumentException e) {
      throw new UnreadableLogException(
          "the value is not a JSON log, as its content-type "
              + LogValues.JSON
              + " says: "
              + e.getMessage());
    }
    if (log.timeUnixNano() != 0) {
      return log;
    }
    return new LogEntry(
        r.getTimestampMs() * 1_000_000,
        log.severityNumber(),
        log.severityText(),
        log.body(),
        log.attributes(),
        log.resource(),
        log.traceId(),
        log.spanId());
  }

  /** Attributes as text; a key given twice (which OTLP forbids) keeps its first value. */
  private static Map<String, String> attributes(List<KeyValue> list) {
    Map<String, String> m = new LinkedHashMap<>();
    for (KeyValue kv : list) {
      m.putIfAbsent(kv.getKey(), AnyValueText.text(kv.getValue()));
    }
    return m;
  }

  private static String hex(ByteString id) {
    return id.isEmpty() ? "" : HexFormat.of().formatHex(id.toByteArray());
  }

  /** The content-type's media type, lowercase, without parameters; null when there is none. */
  private static String mediaType(Record r) {
    String type = LogValues.contentType(r);
    if (type == null) {
      return null;
    }
    int semicolon = type.indexOf(';');
    return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }
}
