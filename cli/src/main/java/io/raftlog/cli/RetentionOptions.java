package io.raftlog.cli;

import io.raftlog.api.v1.Retention;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The retention flags of {@code streams create} and {@code streams update}: only the flags given go
 * into the request (create: the others take the cluster's {@code retention.*} defaults; update: the
 * others keep their value). {@link #text} is how every command shows a retention.
 */
public final class RetentionOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--retention-age",
      paramLabel = "DURATION",
      converter = Units.DurationConverter.class,
      description =
          "Drop records older than this: 7d, 12h, 1h30m... (units "
              + Units.DURATIONS
              + "; 0: no"
              + " age limit).")
  Duration age;

  @Option(
      names = "--retention-bytes",
      paramLabel = "SIZE",
      converter = Units.SizeConverter.class,
      description =
          "Drop the oldest records while the stream holds more than this: 20MB, 512MiB, 1.5GB..."
              + " (units "
              + Units.SIZES
              + "; 0: no byte limit).")
  Long bytes;

  @Option(
      names = "--retention-records",
      paramLabel = "N",
      description = "Keep at most N records (0: no count limit).")
  Long records;

  @Option(
      names = "--hold-for-consumers",
      negatable = true,
      description =
          "Keep records a named consumer has not committed past, beyond the limits above, up to"
              + " the nodes' retention.hold-max-bytes (--no-hold-for-consumers: do not).")
  Boolean hold;

  /** Whether no flag was given. */
  boolean isEmpty() {
    return age == null && bytes == null && records == null && hold == null;
  }

  /**
   * The fields given.
   *
   * @throws ParameterException for a negative value
   */
  Retention retention() {
    Retention.Builder r = Retention.newBuilder();
    if (age != null) {
      if (age.isNegative()) {
        throw new ParameterException(mixee.commandLine(), "--retention-age must be >= 0");
      }
      r.setMaxAgeMs(age.toMillis());
    }
    if (bytes != null) {
      r.setMaxBytes(bytes);
    }
    if (records != null) {
      if (records < 0) {
        throw new ParameterException(
            mixee.commandLine(), "--retention-records must be >= 0, got " + records);
      }
      r.setMaxRecords(records);
    }
    if (hold != null) {
      r.setHoldForConsumers(hold);
    }
    return r.build();
  }

  /**
   * A retention for a person, its limits joined: {@code 7d, 20 MB, 1000 records, holds for
   * consumers}; {@code none} when it keeps every record.
   */
  static String text(Retention r) {
    List<String> parts = new ArrayList<>();
    if (r.getMaxAgeMs() > 0) {
      parts.add(Units.duration(Duration.ofMillis(r.getMaxAgeMs())));
    }
    if (r.getMaxBytes() > 0) {
      parts.add(Units.bytes(r.getMaxBytes()));
    }
    if (r.getMaxRecords() > 0) {
      parts.add(Long.toUnsignedString(r.getMaxRecords()) + " records");
    }
    if (parts.isEmpty()) {
      parts.add("none");
    }
    if (r.getHoldForConsumers()) {
      parts.add("holds for consumers");
    }
    return String.join(", ", parts);
  }
}
