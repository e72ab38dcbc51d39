package io.raftlog.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.Record;

/**
 * How a log is kept as a raftlog record. One record per log record; its {@code content-type} header
 * says which form its value takes:
 *
 * <ul>
 *   <li>{@link #OTLP}: an OTLP {@code ResourceLogs} holding exactly this one {@code LogRecord} in
 *       one {@code ScopeLogs}, with the resource, the scope and both schema URLs as the export gave
 *       them. A reader needs nothing else to know where the log came from, and any OTLP tool can
 *       read the value. Written by the node's OTLP endpoints and by the logback appender's {@code
 *       otlp} encoding.
 *   <li>{@link #JSON}: a flat JSON object ({@link LogJson}), written by the logback appender's
 *       {@code json} encoding for readers that want {@code jq}, not protobuf.
 *   <li>no header: a line of text, as {@code raftlog tail} ships a file's lines.
 * </ul>
 *
 * <p>The record's {@code timestamp_ms} is the log's own time: {@code time_unix_nano}, else {@code
 * observed_time_unix_nano}, in milliseconds; 0 (the leader stamps it) when neither is set. The
 * nanoseconds stay in the value.
 */
public final class LogValues {
  private LogValues() {}

  /** The header that names a log record's form. */
  public static final String CONTENT_TYPE = "content-type";

  /** A value that is an OTLP {@code ResourceLogs} with one log record (protobuf). */
  public static final String OTLP = "application/x-otlp-log+protobuf";

  /** A value that is one {@link LogJson} object. */
  public static final String JSON = "application/json";

  private static final Header OTLP_HEADER =
      Header.newBuilder().setKey(CONTENT_TYPE).setValue(ByteString.copyFromUtf8(OTLP)).build();
  private static final Header JSON_HEADER =
      Header.newBuilder().setKey(CONTENT_TYPE).setValue(ByteString.copyFromUtf8(JSON)).build();

  /** The record that keeps {@code log}, exported under {@code resource} and {@code scope}. */
  public static Record otlp(ResourceLogs resource, ScopeLogs scope, LogRecord log) {
    ResourceLogs one =
        ResourceLogs.newBuilder()
            .setResource(resource.getResource())
            .setSchemaUrl(resource.getSchemaUrl())
            .addScopeLogs(
                ScopeLogs.newBuilder()
                    .setScope(scope.getScope())
                    .setSchemaUrl(scope.getSchemaUrl())
                    .addLogRecords(log))
            .build();
    return Record.newBuilder()
        .setValue(one.toByteString())
        .setTimestampMs(timeMs(log))
        .addHeaders(OTLP_HEADER)
        .build();
  }

  /** The record that keeps {@code log} as flat JSON ({@link LogJson}). */
  public static Record json(LogEntry log) {
    return Record.newBuilder()
        .setValue(ByteString.copyFromUtf8(LogJson.write(log)))
        .setTimestampMs(log.timeUnixNano() / 1_000_000)
        .addHeaders(JSON_HEADER)
        .build();
  }

  /** The log's time in milliseconds since the epoch; 0 when it has none. */
  public static long timeMs(LogRecord log) {
    long nanos = log.getTimeUnixNano() != 0 ? log.getTimeUnixNano() : log.getObservedTimeUnixNano();
    return Long.divideUnsigned(nanos, 1_000_000);
  }

  /** The form a record's value takes: {@link #OTLP}, {@link #JSON}, or null for a text line. */
  public static String contentType(Record r) {
    for (Header h : r.getHeadersList()) {
      if (h.getKey().equals(CONTENT_TYPE)) {
        return h.getValue().toStringUtf8();
      }
    }
    return null;
  }
}
