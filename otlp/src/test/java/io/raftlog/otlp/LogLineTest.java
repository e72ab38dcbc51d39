package io.raftlog.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The --format log line, field by field. */
class LogLineTest {
  @Test
  void printsTimeLevelServiceBodyThenSortedAttributesAndIds() {
    LogEntry log =
        new LogEntry(
            1_796_497_200_123_999_999L,
            14,
            "warning",
            "card declined",
            Map.of("user", "Ann Lee", "order", "42", "note", "", "q", "say \"hi\"\\", "eq", "a=b"),
            Map.of("service.name", "checkout"),
            "0abc",
            "ff02");
    assertEquals(
        "2026-12-05T19:00:00.123Z WARN  checkout card declined eq=\"a=b\" note=\"\" order=42"
            + " q=\"say \\\"hi\\\"\\\\\" user=\"Ann Lee\" trace_id=0abc span_id=ff02",
        LogLine.format(log));
  }

  @Test
  void missingFieldsShowAsDashesAndAnEmptyBodyIsLeftOut() {
    assertEquals(
        "- -     -", LogLine.format(new LogEntry(0, 0, "", "", Map.of(), Map.of(), "", "")));
    assertEquals(
        "1970-01-01T00:00:01.000Z ERROR - x",
        LogLine.format(new LogEntry(1_000_000_000L, 0, "err", "x", Map.of(), Map.of(), "", "")));
    assertEquals(
        "1970-01-01T00:00:01.000Z NOTE  - x",
        LogLine.format(new LogEntry(1_000_000_000L, 0, "NOTE", "x", Map.of(), Map.of(), "", "")));
  }

  @Test
  void oneLogIsOneLineWhateverItHolds() {
    LogEntry log =
        new LogEntry(
            1_000_000_000L,
            21,
            "",
            "boom\n\tat A.b(A.java:1)\r\n\u001b[31mred\u2028",
            Map.of("k", "a\nb"),
            Map.of("service.name", "svc\none"),
            "",
            "");
    assertEquals(
        "1970-01-01T00:00:01.000Z FATAL svc\\none boom\\n\\tat A.b(A.java:1)\\r\\n"
            + "\\u001b[31mred\\u2028 k=a\\nb",
        LogLine.format(log));
  }
}
