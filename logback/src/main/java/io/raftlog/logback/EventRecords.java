package io.raftlog.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.raftlog.api.v1.Record;
import io.raftlog.otlp.LogEntry;
import io.raftlog.otlp.LogStreamNames;
import io.raftlog.otlp.LogValues;
import io.raftlog.otlp.Severity;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.event.KeyValuePair;

/**
 * The appender's encoding: a logback event as the record that keeps it ({@link LogValues}), in OTLP
 * form (a {@code ResourceLogs} with {@code service.name} and {@code host.name}, the logger as the
 * instrumentation scope) or as flat JSON.
 *
 * <p>What an event becomes: time (nanoseconds), severity number and text from the level, body = the
 * formatted message, and the attributes {@code thread.name}, {@code logger.name}, the MDC's
 * entries, SLF4J's key-value pairs and, for an exception, OpenTelemetry's {@code exception.type},
 * {@code exception.message} and {@code exception.stacktrace} (causes included). MDC entries {@code
 * trace_id} and {@code span_id} (OpenTelemetry's logback MDC names), when they are valid ids, go to
 * the log's trace and span ids instead.
 *
 * <p>Built by the appender's {@code start()}; immutable, so the shipper thread uses it freely.
 */
final class EventRecords {
  /** The two forms of {@link LogValues} the appender writes. */
  enum Encoding {
    OTLP,
    JSON;

    /** {@code otlp} or {@code json}, any case; null for anything else. */
    static Encoding of(String name) {
      return switch (name.trim().toLowerCase(Locale.ROOT)) {
        case "otlp" -> OTLP;
        case "json" -> JSON;
        default -> null;
      };
    }
  }

  /** Attribute set on a record whose body or stack trace was cut to fit the record limit. */
  static final String CUT = "raftlog.cut";

  private static final HexFormat HEX = HexFormat.of();

  private final Encoding encoding;
  private final int maxRecordBytes;
  private final Map<String, String> resourceAttributes;
  private final ResourceLogs resource; // resource only: LogValues.otlp adds the one scope and log

  EventRecords(Encoding encoding, String service, String host, int maxRecordBytes) {
    this.encoding = encoding;
    this.maxRecordBytes = maxRecordBytes;
    Map<String, String> r = new LinkedHashMap<>();
    r.put("service.name", service);
    if (!host.isEmpty()) {
      r.put("host.name", host);
    }
    this.resourceAttributes = Map.copyOf(r);
    Resource.Builder b = Resource.newBuilder();
    r.forEach((k, v) -> b.addAttributes(kv(k, v)));
    this.resource = ResourceLogs.newBuilder().setResource(b).build();
  }

  /** The stream OTLP logs of this service land in: {@link LogStreamNames}' default pattern. */
  String defaultStream() {
    return new LogStreamNames(LogStreamNames.DEFAULT_PATTERN).streamFor(resource.getResource());
  }

  /**
   * The record that keeps {@code e}; its body and stack trace are cut if it would pass the nodes'
   * record limit. Null if even so it does not fit (MDC entries of a megabyte): the caller counts it
   * as dropped.
   */
  Record encode(ILoggingEvent e) {
    Map<String, String> attributes = attributes(e);
    Ids ids = new Ids(id(attributes, "trace_id", 32), id(attributes, "span_id", 16));
    String body = e.getFormattedMessage() == null ? "" : e.getFormattedMessage();
    Record r = record(e.getLoggerName(), timeNanos(e), e.getLevel(), body, attributes, ids);
    if (fits(r)) {
      return r;
    }
    int keep =
        maxRecordBytes / 8; // chars of at most 3 bytes (4 per surrogate pair): body and trace
    attributes.computeIfPresent("exception.stacktrace", (k, v) -> cut(v, keep));
    attributes.put(CUT, "true");
    r = record(e.getLoggerName(), timeNanos(e), e.getLevel(), cut(body, keep), attributes, ids);
    return fits(r) ? r : null;
  }

  /** A log of the appender itself (its dropped-events report), under its own logger name. */
  Record own(Level level, String body, Map<String, String> attributes) {
    long now = System.currentTimeMillis() * 1_000_000;
    return record(RaftlogAppender.class.getName(), now, level, body, attributes, Ids.NONE);
  }

  /** A log's trace and span ids, lowercase hex; empty when none. */
  private record Ids(String trace, String span) {
    static final Ids NONE = new Ids("", "");
  }

  private Record record(
      String logger,
      long nanos,
      Level level,
      String body,
      Map<String, String> attributes,
      Ids ids) {
    int severity = severity(level).number;
    String traceId = ids.trace();
    String spanId = ids.span();
    if (encoding == Encoding.JSON) {
      return LogValues.json(
          new LogEntry(
              nanos,
              severity,
              level.toString(),
              body,
              attributes,
              resourceAttributes,
              traceId,
              spanId));
    }
    LogRecord.Builder log =
        LogRecord.newBuilder()
            .setTimeUnixNano(nanos)
            .setObservedTimeUnixNano(nanos)
            .setSeverityNumber(SeverityNumber.forNumber(severity))
            .setSeverityText(level.toString())
            .setBody(AnyValue.newBuilder().setStringValue(body));
    attributes.forEach((k, v) -> log.addAttributes(kv(k, v)));
    if (!traceId.isEmpty()) {
      log.setTraceId(ByteString.copyFrom(HEX.parseHex(traceId)));
    }
    if (!spanId.isEmpty()) {
      log.setSpanId(ByteString.copyFrom(HEX.parseHex(spanId)));
    }
    ScopeLogs scope =
        ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName(logger)).build();
    return LogValues.otlp(resource, scope, log.build());
  }

  private boolean fits(Record r) {
    long size = r.getValue().size();
    for (var h : r.getHeadersList()) {
      size += h.getKeyBytes().size() + h.getValue().size();
    }
    return size <= maxRecordBytes;
  }

  private static Map<String, String> attributes(ILoggingEvent e) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("thread.name", e.getThreadName());
    a.put("logger.name", e.getLoggerName());
    Map<String, String> mdc = e.getMDCPropertyMap();
    if (mdc != null) {
      mdc.forEach((k, v) -> a.put(k, String.valueOf(v)));
    }
    if (e.getKeyValuePairs() != null) {
      for (KeyValuePair p : e.getKeyValuePairs()) {
        a.put(p.key, String.valueOf(p.value));
      }
    }
    IThrowableProxy t = e.getThrowableProxy();
    if (t != null) {
      a.put("exception.type", t.getClassName());
      if (t.getMessage() != null) {
        a.put("exception.message", t.getMessage());
      }
      a.put("exception.stacktrace", ThrowableProxyUtil.asString(t));
    }
    return a;
  }

  /**
   * The MDC entry {@code key} if it is an id of {@code hexChars} lowercase-able hex digits, not all
   * zero (taken out of the attributes then); else empty.
   */
  private static String id(Map<String, String> attributes, String key, int hexChars) {
    String v = attributes.get(key);
    if (v == null || v.length() != hexChars || !v.chars().allMatch(HexFormat::isHexDigit)) {
      return "";
    }
    if (v.chars().allMatch(c -> c == '0')) {
      return ""; // OTLP's "no id"
    }
    attributes.remove(key);
    return v.toLowerCase(Locale.ROOT);
  }

  /** OTLP's severity for a logback level (the first number of its range). */
  static Severity severity(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> Severity.ERROR;
      case Level.WARN_INT -> Severity.WARN;
      case Level.INFO_INT -> Severity.INFO;
      case Level.DEBUG_INT -> Severity.DEBUG;
      default -> Severity.TRACE;
    };
  }

  private static long timeNanos(ILoggingEvent e) {
    Instant t = e.getInstant();
    return t != null
        ? t.getEpochSecond() * 1_000_000_000L + t.getNano()
        : e.getTimeStamp() * 1_000_000L;
  }

  private static String cut(String s, int keep) {
    if (s.length() <= keep) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(keep - 1)) ? keep - 1 : keep; // no half a pair
    return s.substring(0, end) + "... [cut: " + (s.length() - end) + " more characters]";
  }

  private static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
