package io.raftlog.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --severity and --where, on structured logs and text lines. */
class LogFilterTest {
  static LogEntry log(int number, String text, Map<String, String> attributes) {
    return new LogEntry(
        1,
        number,
        text,
        "b",
        attributes,
        Map.of("service.name", "checkout", "env", "prod"),
        "",
        "");
  }

  static LogEntry line(String body) {
    return new LogEntry(1, 0, "", body, Map.of(), Map.of(), "", "");
  }

  @Test
  void minimumSeverityKeepsThatLevelAndAboveByNumberElseByText() {
    LogFilter warn = new LogFilter(Severity.WARN, List.of());
    assertFalse(warn.keepsAll());
    assertFalse(warn.test(log(12, "", Map.of()), false)); // INFO4
    assertTrue(warn.test(log(13, "", Map.of()), false));
    assertTrue(warn.test(log(24, "", Map.of()), false));
    assertFalse(warn.test(log(0, "info", Map.of()), false));
    assertTrue(warn.test(log(0, "Error", Map.of()), false));
    assertFalse(warn.test(log(9, "ERROR", Map.of()), false)); // the number wins
  }

  @Test
  void logWithNoLevelIsKept() {
    LogFilter error = new LogFilter(Severity.ERROR, List.of());
    assertTrue(error.test(log(0, "", Map.of()), false));
    assertTrue(error.test(log(0, "verbose", Map.of()), false));
    assertTrue(error.test(line("\tat A.b(A.java:1)"), true));
  }

  @Test
  void textLineIsJudgedByItsFirstLevelWord() {
    LogFilter warn = new LogFilter(Severity.WARN, List.of());
    assertFalse(warn.test(line("2026-12-05 19:00:00.123 [main] INFO  c.e.Shop - an ERROR"), true));
    assertTrue(warn.test(line("2026-12-05 19:00:00.123 [main] WARN  c.e.Shop - slow"), true));
    assertTrue(warn.test(line("WARNING:root:disk"), true));
    assertTrue(warn.test(line("ts=1 level=ERROR msg=x"), true));
    assertFalse(warn.test(line("[DEBUG] x"), true));
    // a structured log's body is not sniffed: its severity fields say
    assertTrue(warn.test(new LogEntry(1, 0, "", "DEBUG x", Map.of(), Map.of(), "", ""), false));
  }

  @Test
  void sniffTakesWholeCapitalWordsInTheFirst128Characters() {
    assertNull(LogFilter.sniff("information warn ERRORS XINFO INFO_X"));
    assertEquals(Severity.FATAL, LogFilter.sniff("CRITICAL:x"));
    assertEquals(Severity.ERROR, LogFilter.sniff("SEVERE: x"));
    assertEquals(Severity.WARN, LogFilter.sniff("x".repeat(123) + " WARN"));
    assertNull(LogFilter.sniff("x".repeat(124) + " WARN"));
    assertNull(LogFilter.sniff("x".repeat(123) + " WARNING")); // not whole within the 128
  }

  @Test
  void whereMatchesAttributesThenResourceAndAllMustHold() {
    LogEntry e = log(9, "", Map.of("env", "test", "order", "42", "empty", ""));
    assertTrue(new LogFilter(null, List.of("order=42")).test(e, false));
    assertFalse(new LogFilter(null, List.of("order=4")).test(e, false));
    assertTrue(new LogFilter(null, List.of("service=checkout")).test(e, false));
    assertTrue(new LogFilter(null, List.of("service.name=checkout")).test(e, false));
    assertFalse(new LogFilter(null, List.of("env=prod")).test(e, false)); // the log's own wins
    assertTrue(new LogFilter(null, List.of("env=test", "order=42")).test(e, false));
    assertFalse(new LogFilter(null, List.of("env=test", "order=41")).test(e, false));
    assertTrue(new LogFilter(null, List.of("empty=")).test(e, false));
    assertFalse(new LogFilter(null, List.of("missing=")).test(e, false));
    assertFalse(new LogFilter(null, List.of("service=checkout")).test(line("x"), true));
    LogEntry eq = log(9, "", Map.of("q", "a=b"));
    assertTrue(new LogFilter(null, List.of("q=a=b")).test(eq, false));
    assertTrue(
        new LogFilter(Severity.INFO, List.of("service=checkout"))
            .test(log(9, "", Map.of()), false));
    assertFalse(
        new LogFilter(Severity.WARN, List.of("service=checkout"))
            .test(log(9, "", Map.of()), false));
  }

  @Test
  void conditionThatIsNotKeyEqualsValueIsRefused() {
    assertEquals(
        "'order' is not KEY=VALUE (e.g. service=checkout, http.status=500)",
        assertThrows(IllegalArgumentException.class, () -> new LogFilter(null, List.of("order")))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LogFilter(null, List.of("=x")));
    assertTrue(LogFilter.ALL.keepsAll());
    assertTrue(LogFilter.ALL.test(line("x"), true));
  }
}
