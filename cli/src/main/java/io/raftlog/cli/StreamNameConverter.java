package io.raftlog.cli;

import io.raftlog.wire.StreamNames;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A stream name, checked as the nodes check it: a bad one is a usage error (exit code 2). */
public final class StreamNameConverter implements ITypeConverter<String> {
  @Override
  public String convert(String value) {
    String problem = StreamNames.problem(value);
    if (problem != null) {
      throw new TypeConversionException(problem);
    }
    return value;
  }
}
