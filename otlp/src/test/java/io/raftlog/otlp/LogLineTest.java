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
  void timeIsCutToTheMillisecondInUtcAcrossSecondsAndBeforeTheEpoch() {
    long t = 1_796_497_200_000_000_000L; // 2026-12-05T19:00:00Z
    assertEquals("2026-12-05T19:00:00.000Z -     - x", LogLine.format(at(t)));
    assertEquals("2026-12-05T19:00:00.009Z -     - x", LogLine.format(at(t + 9_999_999)));
    assertEquals("2026-12-05T19:00:00.999Z -     - x", LogLine.format(at(t + 999_999_999)));
    assertEquals("2026-12-05T19:00:01.050Z -     - x", LogLine.format(at(t + 1_050_000_000)));
    assertEquals("2026-12-05T19:00:00.120Z -     - x", LogLine.format(at(t + 120_000_000)));
    assertEquals("1969-12-31T23:59:59.500Z -     - x", LogLine.format(at(-500_000_000)));
    assertEquals("1970-01-01T00:00:00.000Z -     - x", LogLine.format(at(1)));
  }

  static LogEntry at(long unixNano) {
    return new LogEntry(unixNano, 0, "", "x", Map.of(), Map.of(), "", "");
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
