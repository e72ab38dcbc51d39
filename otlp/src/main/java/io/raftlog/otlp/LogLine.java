package io.raftlog.otlp;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;

/**
 * A log as one line for people ({@code raftlog consume --format log}):
 *
 * <pre>2026-12-05T19:00:00.123Z WARN  checkout card declined order=42 user="Ann Lee"</pre>
 *
 * <ol>
 *   <li>the time in UTC, ISO-8601 to the millisecond (cut, not rounded), {@code -} when unknown;
 *   <li>the level ({@link LogFilter#severityOf}) padded to 5, else the severity text as given, else
 *       {@code -};
 *   <li>the resource's {@code service.name}, {@code -} when none;
 *   <li>the body;
 *   <li>the log's attributes by key, then {@code trace_id} and {@code span_id} when set, each as
 *       {@code key=value}, the value in double quotes (with {@code \"} and {@code \\}) when it is
 *       empty or holds a space, a quote or a {@code =}.
 * </ol>
 *
 * Fields are separated by one space. One log is one line: in every field a line feed shows as
 * {@code \n}, a carriage return as {@code \r}, a tab as {@code \t} and any other control character
 * as {@code \}{@code uXXXX}, so a stack trace stays on its line and nothing can drive the terminal.
 * A backslash is not escaped, so the line is for reading, not parsing back: that is what {@code
 * --format json} is for. Stateless; any thread.
 */
public final class LogLine {
  private LogLine() {}

  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  /** A second and its text: formatting is most of a line's cost, and logs come in time order. */
  private record Second(long epochSecond, String text) {}

  private static volatile Second last = new Second(0, SECOND.format(Instant.EPOCH));

  /** {@code log} as one line, without the line break. */
  public static String format(LogEntry log) {
    StringBuilder b = new StringBuilder(64 + log.body().length());
    time(b, log.timeUnixNano());
    b.append(' ');
    Severity level = LogFilter.severityOf(log);
    String severity =
        level != null ? level.name() : log.severityText().isEmpty() ? "-" : log.severityText();
    escape(b, severity);
    for (int pad = severity.length(); pad < 5; pad++) {
      b.append(' ');
    }
    b.append(' ');
    escape(b, log.service().isEmpty() ? "-" : log.service());
    if (!log.body().isEmpty()) {
      b.append(' ');
      escape(b, log.body());
    }
    for (Map.Entry<String, String> a : new TreeMap<>(log.attributes()).entrySet()) {
      pair(b, a.getKey(), a.getValue());
    }
    if (!log.traceId().isEmpty()) {
      pair(b, "trace_id", log.traceId());
    }
    if (!log.spanId().isEmpty()) {
      pair(b, "span_id", log.spanId());
    }
    return b.toString();
  }

  /** {@code 2026-12-05T19:00:00.123Z}, or {@code -} for 0. */
  private static void time(StringBuilder b, long unixNano) {
    if (unixNano == 0) {
      b.append('-');
      return;
    }
    long epochSecond = Math.floorDiv(unixNano, 1_000_000_000L);
    int ms = (int) (Math.floorMod(unixNano, 1_000_000_000L) / 1_000_000);
    Second s = last;
    if (s.epochSecond != epochSecond) {
      s = new Second(epochSecond, SECOND.format(Instant.ofEpochSecond(epochSecond)));
      last = s; // immutable, so a race only formats a second twice
    }
    b.append(s.text).append('.');
    b.append((char) ('0' + ms / 100))
        .append((char) ('0' + ms / 10 % 10))
        .append((char) ('0' + ms % 10));
    b.append('Z');
  }

  private static void pair(StringBuilder b, String key, String value) {
    b.append(' ');
    escape(b, key);
    b.append('=');
    boolean quote = value.isEmpty();
    for (int i = 0; i < value.length() && !quote; i++) {
      char c = value.charAt(i);
      quote = c == ' ' || c == '"' || c == '=';
    }
    if (!quote) {
      escape(b, value);
      return;
    }
    b.append('"');
    escape(b, value.replace("\\", "\\\\").replace("\"", "\\\""));
    b.append('"');
  }

  /** Appends {@code s} with control characters escaped (see the class comment). */
  private static void escape(StringBuilder b, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
  }
}
