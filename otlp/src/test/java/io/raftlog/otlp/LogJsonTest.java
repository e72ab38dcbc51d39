package io.raftlog.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** LogJson's object, written and read back. */
class LogJsonTest {
  static final LogEntry FULL =
      new LogEntry(
          1_764_961_200_123_456_789L,
          13,
          "WARN",
          "card \"declined\"\nline 2 \u00e9",
          Map.of("order", "42", "user", "Ann Lee"),
          Map.of("service.name", "checkout", "host.name", "h1"),
          "0abc",
          "ff02");

  @Test
  void writesTheDocumentedObject() {
    assertEquals(
        "{\"time\":\"2025-12-05T19:00:00.123456789Z\",\"severity\":\"WARN\",\"severity_number\":13,"
            + "\"service\":\"checkout\",\"body\":\"card \\\"declined\\\"\\nline 2 \u00e9\","
            + "\"attributes\":{\"order\":\"42\",\"user\":\"Ann Lee\"},"
            + "\"resource\":{\"host.name\":\"h1\",\"service.name\":\"checkout\"},"
            + "\"trace_id\":\"0abc\",\"span_id\":\"ff02\"}",
        LogJson.write(FULL));
  }

  @Test
  void readsBackWhatItWrote() {
    assertEquals(FULL, LogJson.read(LogJson.write(FULL)));
    LogEntry bare = new LogEntry(0, 0, "", "", Map.of(), Map.of(), "", "");
    assertEquals("{\"body\":\"\"}", LogJson.write(bare));
    assertEquals(bare, LogJson.read(LogJson.write(bare)));
    LogEntry beforeEpoch = new LogEntry(-1_500_000_000L, 0, "", "x", Map.of(), Map.of(), "", "");
    assertEquals(beforeEpoch, LogJson.read(LogJson.write(beforeEpoch)));
  }

  @Test
  void severityNumberWithoutTextReadsBackWithTheLevelsName() {
    LogEntry numberOnly = new LogEntry(0, 18, "", "x", Map.of(), Map.of(), "", "");
    String json = LogJson.write(numberOnly);
    assertEquals("{\"severity\":\"ERROR\",\"severity_number\":18,\"body\":\"x\"}", json);
    assertEquals(new LogEntry(0, 18, "ERROR", "x", Map.of(), Map.of(), "", ""), LogJson.read(json));
    assertEquals(json, LogJson.write(LogJson.read(json)));
  }

  @Test
  void readsAHandWrittenLogLeniently() {
    LogEntry e =
        LogJson.read(
            "{\"body\":{\"a\":[1,true,null]},\"service\":\"svc\",\"extra\":{\"x\":[1]},"
                + "\"attributes\":{\"n\":5,\"o\":{\"p\":\"q\"},\"z\":null},"
                + "\"time\":\"2026-12-05T20:00:00+01:00\",\"severity\":null}");
    assertEquals(
        new LogEntry(
            1_796_497_200_000_000_000L,
            0,
            "",
            "{\"a\":[1,true,null]}",
            Map.of("n", "5", "o", "{\"p\":\"q\"}", "z", ""),
            Map.of("service.name", "svc"),
            "",
            ""),
        e);
  }

  @Test
  void refusesWhatIsNotOneLogObjectSayingWhy() {
    assertEquals(
        "a JSON log is one object {...}",
        assertThrows(IllegalArgumentException.class, () -> LogJson.read("[1]")).getMessage());
    assertEquals(
        "a JSON log is one object, but more follows it",
        assertThrows(IllegalArgumentException.class, () -> LogJson.read("{} {}")).getMessage());
    assertEquals(
        "\"time\" must be an ISO-8601 instant such as 2026-12-05T19:00:00.123Z, got 'yesterday'",
        assertThrows(IllegalArgumentException.class, () -> LogJson.read("{\"time\":\"yesterday\"}"))
            .getMessage());
    assertEquals(
        "\"severity_number\" must be an integer (1..24)",
        assertThrows(
                IllegalArgumentException.class, () -> LogJson.read("{\"severity_number\":\"9\"}"))
            .getMessage());
    assertEquals(
        "\"attributes\" must be an object",
        assertThrows(IllegalArgumentException.class, () -> LogJson.read("{\"attributes\":[]}"))
            .getMessage());
    String broken =
        assertThrows(IllegalArgumentException.class, () -> LogJson.read("{\"body\":\"x\""))
            .getMessage();
    assertEquals(
        "Unexpected end-of-input: expected close marker for Object (at character 12)", broken);
  }
}
