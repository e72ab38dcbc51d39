package io.raftlog.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
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
 * {@link #read} takes it back. Stateless; any thread.
 */
public final class LogJson {
  private LogJson() {}

  private static final JsonFactory FACTORY = new JsonFactory();

  /** {@code log} as one line of JSON. */
  public static String write(LogEntry log) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  /**
   * Writes {@code log} as one JSON object into {@code g}, as a value where {@code g} is: how a
   * caller with its own writer (its escapes, an enclosing object) embeds the same object.
   */
  public static void write(JsonGenerator g, LogEntry log) throws IOException {
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
  }

  /**
   * The log one JSON object holds, written by {@link #write} or by hand: fields it does not know
   * are skipped, missing ones left empty; a {@code body} or an attribute's value that is not a
   * string is kept as its JSON text; {@code service} stands for the resource's {@code service.name}
   * when the object has no {@code resource.service.name}. So {@code write(read(write(log)))} is
   * {@code write(log)}, and {@code read(write(log))} is {@code log} except that a log with a
   * severity number but no severity text reads back with the level's name ({@code WARN}) as its
   * text. Throws IllegalArgumentException, saying where in one line, for what is not one JSON
   * object or has a field of the wrong kind ({@code time}: ISO-8601, {@code severity_number}: an
   * integer).
   */
  public static LogEntry read(String json) {
    try (JsonParser p = FACTORY.createParser(json)) {
      return new JsonLogReader(p).read();
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      // Jackson's message may name the source's location in its own words: keep ours, one line.
      String why = e.getOriginalMessage().lines().findFirst().orElse("malformed JSON");
      why = why.replaceAll(" ?\\(?[^()]*\\[Source:.*", "");
      throw new IllegalArgumentException(
          why + (at == null ? "" : " (at character " + (at.getCharOffset() + 1) + ")"));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a String does not fail
    }
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
