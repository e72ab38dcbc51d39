package io.raftlog.cli;

import io.raftlog.otlp.Severity;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --severity LEVEL}: a level's name as {@link Severity#ofName} knows it. */
final class SeverityConverter implements ITypeConverter<Severity> {
  @Override
  public Severity convert(String value) {
    Severity level = Severity.ofName(value);
    if (level == null) {
      throw new TypeConversionException(
          "'" + value + "' is no level: TRACE, DEBUG, INFO, WARN, ERROR or FATAL");
    }
    return level;
  }
}
