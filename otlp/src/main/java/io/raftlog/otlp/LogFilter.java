package io.raftlog.otlp;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which logs a reader keeps ({@code raftlog consume --severity LEVEL --where KEY=VALUE ...}): all
 * conditions must hold.
 *
 * <ul>
 *   <li>A minimum severity keeps a log whose level ({@link #severityOf}) is that level or above. A
 *       log with no level at all is kept: a filter hides only what it knows is below the level, so
 *       an unlabelled line (a stack trace's continuation, a message without a level) is never lost
 *       from view. A text line (no structured form, as {@code raftlog tail} ships) has its level
 *       sniffed: the first level word in capitals ({@code TRACE DEBUG INFO WARN WARNING ERROR
 *       SEVERE FATAL CRITICAL}, standing alone, {@code [WARN]} and {@code level=WARN} included)
 *       among its first 128 characters, which finds the level of the usual layouts (logback's,
 *       log4j's, Python's, JUL's).
 *   <li>{@code KEY=VALUE} holds when the log's own attribute {@code KEY} is exactly {@code VALUE},
 *       or, when the log has no such attribute, its resource's ({@code service=} stands for {@code
 *       service.name}). A log without {@code KEY} at either level does not match; so a text line,
 *       which has none, never matches a {@code --where}.
 * </ul>
 *
 * Immutable; any thread.
 */
public final class LogFilter {
  /** The filter that keeps every log. */
  public static final LogFilter ALL = new LogFilter(null, List.of());

  private static final int SNIFFED_CHARS = 128;
  private static final Pattern LEVEL_WORD =
      Pattern.compile(
          "(?<![A-Za-z0-9_])(TRACE|DEBUG|INFO|WARNING|WARN|ERROR|SEVERE|FATAL|CRITICAL)"
              + "(?![A-Za-z0-9_])");

  private final Severity min; // null: any
  private final List<String> keys = new ArrayList<>();
  private final List<String> values = new ArrayList<>();

  /**
   * Keeps logs at {@code min} or above (null: any level) that match every {@code KEY=VALUE} of
   * {@code where}; throws IllegalArgumentException, saying which, for a condition without {@code =}
   * or with an empty key.
   */
  public LogFilter(Severity min, List<String> where) {
    this.min = min;
    for (String condition : where) {
      int eq = condition.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "'" + condition + "' is not KEY=VALUE (e.g. service=checkout, http.status=500)");
      }
      String key = condition.substring(0, eq);
      keys.add(key.equals("service") ? "service.name" : key);
      values.add(condition.substring(eq + 1));
    }
  }

  /** Whether this filter keeps every log (so a reader need not decode records to apply it). */
  public boolean keepsAll() {
    return min == null && keys.isEmpty();
  }

  /**
   * Whether {@code log} passes; {@code textLine}: it was a text line (see {@link
   * LogDecoder#isLog}), whose level is sniffed from its body.
   */
  public boolean test(LogEntry log, boolean textLine) {
    if (min != null) {
      Severity level = textLine ? sniff(log.body()) : severityOf(log);
      if (level != null && level.compareTo(min) < 0) {
        return false;
      }
    }
    for (int i = 0; i < keys.size(); i++) {
      String value = log.attributes().get(keys.get(i));
      if (value == null) {
        value = log.resource().get(keys.get(i));
      }
      if (!values.get(i).equals(value)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A structured log's level: its severity number's range, else its severity text's ({@link
   * Severity#ofName}); null when it has neither.
   */
  public static Severity severityOf(LogEntry log) {
    Severity level = Severity.ofNumber(log.severityNumber());
    return level != null ? level : Severity.ofName(log.severityText());
  }

  /** The level word a text line starts with (see the class comment); null when none. */
  static Severity sniff(String line) {
    Matcher m = LEVEL_WORD.matcher(line);
    m.region(0, Math.min(line.length(), SNIFFED_CHARS)).useTransparentBounds(true);
    return m.find() ? Severity.ofName(m.group(1)) : null;
  }
}
