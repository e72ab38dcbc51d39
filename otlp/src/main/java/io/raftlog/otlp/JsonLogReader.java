package io.raftlog.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one {@link LogJson} object from a parser: {@link LogJson#read}'s work, kept apart so the
 * format's writer stays short. One instance per object, on the caller's thread.
 */
final class JsonLogReader {
  private static final JsonFactory GENERATORS = new JsonFactory();

  private final JsonParser p;
  private long time;
  private int severityNumber;
  private String severityText = "";
  private String service = "";
  private String body = "";
  private final Map<String, String> attributes = new LinkedHashMap<>();
  private final Map<String, String> resource = new LinkedHashMap<>();
  private String traceId = "";
  private String spanId = "";

  JsonLogReader(JsonParser p) {
    this.p = p;
  }

  LogEntry read() throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("a JSON log is one object {...}");
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "time" -> time = time(string(field, value));
        case "severity" -> severityText = string(field, value);
        case "severity_number" -> severityNumber = severityNumber(value);
        case "service" -> service = string(field, value);
        case "body" -> body = text(value);
        case "attributes" -> map(field, value, attributes);
        case "resource" -> map(field, value, resource);
        case "trace_id" -> traceId = string(field, value);
        case "span_id" -> spanId = string(field, value);
        default -> p.skipChildren(); // a field this version does not know
      }
    }
    if (p.nextToken() != null) {
      throw new IllegalArgumentException("a JSON log is one object, but more follows it");
    }
    if (!service.isEmpty()) {
      resource.putIfAbsent("service.name", service);
    }
    return new LogEntry(
        time, severityNumber, severityText, body, attributes, resource, traceId, spanId);
  }

  private String string(String field, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return "";
    }
    if (value != JsonToken.VALUE_STRING) {
      throw new IllegalArgumentException("\"" + field + "\" must be a string");
    }
    return p.getText();
  }

  private static long time(String iso) {
    if (iso.isEmpty()) {
      return 0;
    }
    try {
      Instant t = Instant.parse(iso);
      return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "\"time\" must be an ISO-8601 instant such as 2026-12-05T19:00:00.123Z, got '"
              + iso
              + "'");
    }
  }

  private int severityNumber(JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
      throw new IllegalArgumentException("\"severity_number\" must be an integer (1..24)");
    }
    return p.getIntValue();
  }

  /** A value as text: a string as it is, null as empty, anything else as its compact JSON. */
  private String text(JsonToken value) throws IOException {
    return switch (value) {
      case VALUE_STRING -> p.getText();
      case VALUE_NULL -> "";
      default -> {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = GENERATORS.createGenerator(out)) {
          g.copyCurrentStructure(p);
        }
        yield out.toString();
      }
    };
  }

  private void map(String field, JsonToken value, Map<String, String> into) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return;
    }
    if (value != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("\"" + field + "\" must be an object");
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      into.putIfAbsent(key, text(p.nextToken()));
    }
  }
}
