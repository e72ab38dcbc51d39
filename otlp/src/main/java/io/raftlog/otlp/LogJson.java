package io.raftlog.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * A log as one flat JSON object, the form the logback appender's {@code json} encoding stores and
 * {@code raftlog consume --format json} shows under {@code "log"}:
 *
 * <pre>{"time":"2026-12-05T19:00:00.123456789Z","severity":"WARN","severity_number":13,
 * "service":"checkout","body":"card declined","attributes":{"order":"42"},
 * "resource":{"service.name":"checkout"},"trace_id":"...","span_id":"..."}</pre>
 *
 * Fields a log lacks are left out ({@code time} when 0, {@code severity} when unspecified, ...).
 */
public final class LogJson {
  private LogJson() {}

  private static final JsonFactory FACTORY = new JsonFactory();

  /** {@code log} as one line of JSON. */
  public static String write(LogEntry log) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      if (log.timeUnixNano() != 0) {
        g.writeStringField("time", Instant.EPOCH.plusNanos(log.timeUnixNano()).toString());
      }
      Severity level = Severity.ofNumber(log.severityNumber());
      String text = !log.severityText().isEmpty() ? log.severityText() : null;
      if (text != null || level != null) {
        g.writeStringField("severity", text != null ? text : level.name());
      }
      if (log.severityNumber() != 0) {
        g.writeNumberField("severity_number", log.severityNumber());
      }
      if (!log.service().isEmpty()) {
        g.writeStringField("service", log.service());
      }
      g.writeStringField("body", log.body());
      map(g, "attributes", log.attributes());
      map(g, "resource", log.resource());
      if (!log.traceId().isEmpty()) {
        g.writeStringField("trace_id", log.traceId());
      }
      if (!log.spanId().isEmpty()) {
        g.writeStringField("span_id", log.spanId());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static void map(JsonGenerator g, String name, Map<String, String> m) throws IOException {
    if (m.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(m).entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }
}
