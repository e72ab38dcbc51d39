package io.raftlog.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Sizes and durations as people write and read them, for every option and output of the CLI.
 *
 * <p>Sizes: a number (decimals allowed) and a unit, case-insensitive: {@code B}, {@code KB} {@code
 * MB} {@code GB} {@code TB} (powers of 1000, as disk makers and the SI count) or {@code KiB} {@code
 * MiB} {@code GiB} {@code TiB} (powers of 1024); no unit is bytes.
 *
 * <p>Durations: one or more number-unit pairs, largest first, e.g. {@code 7d}, {@code 90m}, {@code
 * 1h30m}, {@code 1.5s}, with units {@code ms}, {@code s}, {@code m}, {@code h}, {@code d} (24 h)
 * and {@code w} (7 d); a plain number is seconds; ISO-8601 ({@code PT2S}) works too.
 */
final class Units {
  private Units() {}

  static final String SIZES = "B, KB, MB, GB, TB (powers of 1000), KiB, MiB, GiB, TiB (of 1024)";
  static final String DURATIONS = "ms, s, m, h, d, w, combined largest first as in 1h30m";

  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)([a-z]*)");
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d|w)");
  private static final String[] DURATION_UNITS = {"w", "d", "h", "m", "s", "ms"};
  private static final long[] DURATION_MILLIS = {
    604_800_000, 86_400_000, 3_600_000, 60_000, 1000, 1
  };

  /**
   * The bytes {@code text} names.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  static long parseBytes(String text) {
    Matcher m = SIZE.matcher(text.replaceAll("\\s+", "").toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a size such as 20MB, 512KiB or 1.5GB: use " + SIZES);
    }
    long unit =
        switch (m.group(2)) {
          case "", "b" -> 1L;
          case "kb" -> 1000L;
          case "mb" -> 1000_000L;
          case "gb" -> 1000_000_000L;
          case "tb" -> 1000_000_000_000L;
          case "kib" -> 1L << 10;
          case "mib" -> 1L << 20;
          case "gib" -> 1L << 30;
          case "tib" -> 1L << 40;
          default ->
              throw new IllegalArgumentException(
                  "'" + text + "': unknown size unit '" + m.group(2) + "'; use " + SIZES);
        };
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    if (bytes.stripTrailingZeros().scale() > 0) {
      throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
    }
    return bytes.longValueExact();
  }

  /**
   * The duration {@code text} names (zero allowed).
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  static Duration parseDuration(String text) {
    String v = text.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
    if (v.startsWith("p")) {
      try {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw notADuration(text);
      }
    }
    if (v.matches("\\d+(\\.\\d+)?")) {
      return millis(text, new BigDecimal(v).multiply(BigDecimal.valueOf(1000)));
    }
    Matcher m = PART.matcher(v);
    BigDecimal total = BigDecimal.ZERO;
    int at = 0;
    int lastUnit = -1;
    while (at < v.length() && m.find(at) && m.start() == at) {
      int unit = unitIndex(m.group(2));
      if (unit <= lastUnit) {
        throw new IllegalArgumentException(
            "'" + text + "': give each unit once, largest first, as in 1h30m");
      }
      lastUnit = unit;
      total =
          total.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(DURATION_MILLIS[unit])));
      at = m.end();
    }
    if (at == 0 || at != v.length()) {
      throw notADuration(text);
    }
    return millis(text, total);
  }

  private static int unitIndex(String unit) {
    for (int i = 0; i < DURATION_UNITS.length; i++) {
      if (DURATION_UNITS[i].equals(unit)) {
        return i;
      }
    }
    throw new IllegalStateException(unit);
  }

  private static Duration millis(String text, BigDecimal ms) {
    if (ms.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 1_000_000)) > 0) {
      throw new IllegalArgumentException("'" + text + "' is too long");
    }
    return Duration.ofNanos(ms.multiply(BigDecimal.valueOf(1_000_000)).longValue());
  }

  private static IllegalArgumentException notADuration(String text) {
    return new IllegalArgumentException(
        "'" + text + "' is not a duration such as 7d, 90m, 1h30m or 500ms: use " + DURATIONS);
  }

  /**
   * {@code bytes} for a person: exactly in the largest unit that divides it into fewer than 10000
   * ({@code 20 MB}, {@code 256 KiB}, {@code 1500 MB}), else to a tenth in powers of 1024 ({@code
   * 12.3 MiB}).
   */
  static String bytes(long bytes) {
    String[] iec = {"TiB", "GiB", "MiB", "KiB"};
    String[] si = {"TB", "GB", "MB", "KB"};
    for (int i = 0; i < iec.length; i++) {
      long binary = 1L << (10 * (iec.length - i));
      long decimal = (long) Math.pow(1000, si.length - i);
      if (bytes >= binary && bytes % binary == 0 && bytes / binary < 10_000) {
        return bytes / binary + " " + iec[i];
      }
      if (bytes >= decimal && bytes % decimal == 0 && bytes / decimal < 10_000) {
        return bytes / decimal + " " + si[i];
      }
    }
    for (int i = 0; i < iec.length; i++) {
      long binary = 1L << (10 * (iec.length - i));
      if (bytes >= binary) {
        return String.format(Locale.ROOT, "%.1f %s", (double) bytes / binary, iec[i]);
      }
    }
    return bytes + " B";
  }

  /**
   * {@code d} as its units, largest first: {@code 7d}, {@code 1h30m}, {@code 250ms}, {@code 0s}.
   */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < DURATION_UNITS.length; i++) { // from days: 14d reads better than 2w
      long n = ms / DURATION_MILLIS[i];
      if (n > 0) {
        out.append(n).append(DURATION_UNITS[i]);
        ms -= n * DURATION_MILLIS[i];
      }
    }
    return out.toString();
  }

  /** A size option: {@code 20MB}, {@code 512KiB}, {@code 0} (no limit where that means one). */
  static final class SizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return parseBytes(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A duration option that may be zero: {@code 7d}, {@code 1h30m}, {@code 0}. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parseDuration(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A duration option that must be positive: {@code 500ms}, {@code 10s}, {@code 2m}. */
  static final class PositiveDurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d;
      try {
        d = parseDuration(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
      if (d.isZero()) {
        throw new TypeConversionException(
            "'" + value + "' is not a positive duration such as 500ms, 10s or 2m");
      }
      return d;
    }
  }
}
