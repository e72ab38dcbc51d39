package io.raftlog.otlp;

import java.util.Locale;

/**
 * OTLP's severity ranges: each level owns four numbers ({@code TRACE} 1-4, ... {@code FATAL}
 * 21-24), so {@code --severity WARN} keeps numbers 13 and up.
 */
public enum Severity {
  TRACE(1),
  DEBUG(5),
  INFO(9),
  WARN(13),
  ERROR(17),
  FATAL(21);

  /** The first severity number of this level. */
  public final int number;

  Severity(int number) {
    this.number = number;
  }

  /** The level a severity number 1..24 falls in; null for 0 (unspecified) or out of range. */
  public static Severity ofNumber(int n) {
    if (n < 1 || n > 24) {
      return null;
    }
    return values()[(n - 1) / 4];
  }

  /**
   * The level a name means: {@code WARN}, {@code warning}, {@code err}, {@code Info} ...; null when
   * it names none.
   */
  public static Severity ofName(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    return switch (n) {
      case "TRACE", "FINEST", "FINER" -> TRACE;
      case "DEBUG", "FINE", "CONFIG" -> DEBUG;
      case "INFO", "INFORMATION", "NOTICE" -> INFO;
      case "WARN", "WARNING" -> WARN;
      case "ERROR", "ERR", "SEVERE" -> ERROR;
      case "FATAL", "CRITICAL", "CRIT", "ALERT", "EMERGENCY" -> FATAL;
      default -> null;
    };
  }
}
