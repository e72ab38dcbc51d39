package io.raftlog.otlp;

import java.util.Map;

/**
 * A log as a reader sees it, whatever form it was kept in ({@link LogValues}): what {@code raftlog
 * consume --format log} prints, what its filters test, and what the logback appender's {@code json}
 * encoding writes.
 *
 * @param timeUnixNano the log's time (0: unknown)
 * @param severityNumber OTLP's 1..24 (0: unspecified); see {@link Severity}
 * @param severityText as the source gave it ({@code WARN}, {@code warning}, ...); may be empty
 * @param body the message, as text (an OTLP body that is not a string is rendered as JSON)
 * @param attributes the log record's own attributes, values rendered as text (an unordered map:
 *     readers print them sorted by key)
 * @param resource the resource's attributes ({@code service.name}, {@code host.name}, ...)
 * @param traceId lowercase hex, empty when none
 * @param spanId lowercase hex, empty when none
 */
public record LogEntry(
    long timeUnixNano,
    int severityNumber,
    String severityText,
    String body,
    Map<String, String> attributes,
    Map<String, String> resource,
    String traceId,
    String spanId) {

  public LogEntry {
    attributes = Map.copyOf(attributes);
    resource = Map.copyOf(resource);
  }

  /** The resource's {@code service.name}, or empty. */
  public String service() {
    return resource.getOrDefault("service.name", "");
  }
}
