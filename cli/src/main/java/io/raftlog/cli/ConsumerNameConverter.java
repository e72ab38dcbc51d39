package io.raftlog.cli;

import io.raftlog.wire.StreamNames;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A consumer name, held to the stream-name rule as the nodes hold it (exit code 2 if broken). */
public final class ConsumerNameConverter implements ITypeConverter<String> {
  @Override
  public String convert(String value) {
    String problem = StreamNames.problem(value);
    if (problem != null) {
      throw new TypeConversionException("consumer name: " + problem);
    }
    return value;
  }
}
