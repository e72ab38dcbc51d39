package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.client.SubscribeOptions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** Sizes, durations and starts as people write them, and what a bad one is told. */
class UnitsTest {
  @Test
  void sizesCountKbInThousandsAndKibInPowersOfTwo() {
    assertEquals(20_000_000L, Units.parseBytes("20MB"));
    assertEquals(20L << 20, Units.parseBytes("20MiB"));
    assertEquals(512L << 10, Units.parseBytes("512 kib"));
    assertEquals(1_500_000_000L, Units.parseBytes("1.5GB"));
    assertEquals(1536, Units.parseBytes("1.5KiB"));
    assertEquals(2_000_000_000_000L, Units.parseBytes("2TB"));
    assertEquals(3L << 40, Units.parseBytes("3TiB"));
    assertEquals(77, Units.parseBytes("77"));
    assertEquals(77, Units.parseBytes("77B"));
    assertEquals(0, Units.parseBytes("0"));
  }

  @Test
  void badSizesSayWhatIsAccepted() {
    for (String bad : new String[] {"", "MB", "-1MB", "20M", "20 megabytes", "1.0001KB", "9EB"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Units.parseBytes(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Units.parseBytes("20M"))
            .getMessage()
            .contains(Units.SIZES));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Units.parseBytes("99999999TB"))
            .getMessage()
            .contains("too large"));
  }

  @Test
  void durationsTakeUnitsUpToWeeksAndCombineThem() {
    assertEquals(Duration.ofDays(7), Units.parseDuration("7d"));
    assertEquals(Duration.ofMinutes(90), Units.parseDuration("90m"));
    assertEquals(Duration.ofMinutes(90), Units.parseDuration("1h30m"));
    assertEquals(Duration.ofMinutes(90), Units.parseDuration("1h 30m"));
    assertEquals(Duration.ofDays(14), Units.parseDuration("2W"));
    assertEquals(Duration.ofMillis(1500), Units.parseDuration("1.5s"));
    assertEquals(Duration.ofMillis(250), Units.parseDuration("250ms"));
    assertEquals(Duration.ofMillis(61_250), Units.parseDuration("1m1s250ms"));
    assertEquals(Duration.ofSeconds(2), Units.parseDuration("2"));
    assertEquals(Duration.ofSeconds(5), Units.parseDuration("PT5S"));
    assertEquals(Duration.ZERO, Units.parseDuration("0"));
  }

  @Test
  void badDurationsSayWhatIsAccepted() {
    for (String bad :
        new String[] {"", "soon", "5 days", "-1s", "1h30", "30m1h", "1m1m", "P", "7y"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Units.parseDuration(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("7y"))
            .getMessage()
            .contains(Units.DURATIONS));
  }

  @Test
  void positiveDurationsRefuseZero() {
    Units.PositiveDurationConverter c = new Units.PositiveDurationConverter();
    assertEquals(Duration.ofSeconds(30), c.convert("30s"));
    assertThrows(TypeConversionException.class, () -> c.convert("0"));
    assertThrows(TypeConversionException.class, () -> c.convert("0s"));
  }

  @Test
  void outputIsExactInTheUnitThatDividesElseATenthOfABinaryUnit() {
    assertEquals("20 MB", Units.bytes(20_000_000));
    assertEquals("20 MiB", Units.bytes(20L << 20));
    assertEquals("1 GiB", Units.bytes(1L << 30));
    assertEquals("256 KiB", Units.bytes(256 << 10));
    assertEquals("1 KB", Units.bytes(1000));
    assertEquals("12.3 MiB", Units.bytes(12_900_000));
    assertEquals("999 B", Units.bytes(999));
    assertEquals("1500 MB", Units.bytes(1_500_000_000));
    assertEquals("0 B", Units.bytes(0));
    assertEquals("7d", Units.duration(Duration.ofDays(7)));
    assertEquals("1h30m", Units.duration(Duration.ofMinutes(90)));
    assertEquals("14d", Units.duration(Duration.ofDays(14)));
    assertEquals("1s500ms", Units.duration(Duration.ofMillis(1500)));
    assertEquals("0s", Units.duration(Duration.ZERO));
    for (String s : new String[] {"7d", "1h30m", "14d", "1s500ms"}) {
      assertEquals(s, Units.duration(Units.parseDuration(s)), "round trip");
    }
  }

  @Test
  void startsAreEarliestLatestAnOffsetOrATime() {
    StartConverter c = new StartConverter();
    assertEquals(SubscribeOptions.fromEarliest(), c.convert("earliest"));
    assertEquals(SubscribeOptions.fromLatest(), c.convert("LATEST"));
    assertEquals(SubscribeOptions.fromOffset(42), c.convert("42"));
    assertEquals(
        SubscribeOptions.fromTime(Instant.parse("2026-12-05T10:00:00Z")),
        c.convert("2026-12-05T10:00:00Z"));
    assertEquals(
        SubscribeOptions.fromTime(Instant.parse("2026-12-05T09:00:00Z")),
        c.convert("2026-12-05T10:00:00+01:00"));
    for (String bad : new String[] {"-1", "x", "99999999999999999999", "2026-12-05", "yesterday"}) {
      TypeConversionException e =
          assertThrows(TypeConversionException.class, () -> c.convert(bad), bad);
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
