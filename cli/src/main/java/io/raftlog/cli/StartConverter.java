package io.raftlog.cli;

import io.raftlog.client.SubscribeOptions;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --from}: {@code earliest}, {@code latest}, an offset, or an ISO-8601 instant ({@code
 * 2026-12-05T10:00:00Z}, also with an offset such as {@code +01:00}): where a read starts.
 */
final class StartConverter implements ITypeConverter<SubscribeOptions> {
  static final String ACCEPTED =
      "earliest, latest, an offset (0, 42...) or an ISO-8601 time such as 2026-12-05T10:00:00Z";

  @Override
  public SubscribeOptions convert(String value) {
    String v = value.trim();
    if (v.equalsIgnoreCase("earliest")) {
      return SubscribeOptions.fromEarliest();
    }
    if (v.equalsIgnoreCase("latest")) {
      return SubscribeOptions.fromLatest();
    }
    if (v.matches("-?\\d+")) {
      try {
        long offset = Long.parseLong(v);
        if (offset >= 0) {
          return SubscribeOptions.fromOffset(offset);
        }
      } catch (NumberFormatException tooLarge) {
        // said below
      }
      throw new TypeConversionException("'" + value + "' is not an offset from 0 to 2^63-1");
    }
    try {
      return SubscribeOptions.fromTime(
          OffsetDateTime.parse(v.toUpperCase(Locale.ROOT)).toInstant());
    } catch (DateTimeParseException e) {
      throw new TypeConversionException("'" + value + "' is not " + ACCEPTED);
    }
  }
}
