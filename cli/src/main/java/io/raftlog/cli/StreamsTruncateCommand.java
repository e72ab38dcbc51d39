package io.raftlog.cli;

import io.raftlog.api.v1.TruncateResponse;
import io.raftlog.client.RaftlogClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftlog streams truncate NAME --before N}: removes a stream's oldest records. */
@Command(
    name = "truncate",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Removes a stream's records below an offset (Kafka's DeleteRecords): its first offset"
          + " becomes --before, and reads below it answer OUT_OF_RANGE (or follow their --reset"
          + " policy). Offsets are never reused.",
      "",
      "At or below the first offset it changes nothing; past the next offset it is OUT_OF_RANGE"
          + " (exit code 4) and changes nothing."
    })
final class StreamsTruncateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Parameters(
      index = "0",
      paramLabel = "NAME",
      converter = StreamNameConverter.class,
      description = "The stream.")
  String name;

  @Option(
      names = "--before",
      required = true,
      paramLabel = "OFFSET",
      description = "Remove the records below this offset.")
  long before;

  @Override
  public Integer call() {
    if (before < 0) {
      throw new ParameterException(spec.commandLine(), "--before must be >= 0, got " + before);
    }
    TruncateResponse r;
    try (RaftlogClient client = server.connect()) {
      r = client.truncate(name, before);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "truncated stream '"
            + name
            + "': first offset "
            + Long.toUnsignedString(r.getFirstOffset())
            + ", next offset "
            + Long.toUnsignedString(r.getNextOffset()));
    Failures.flush(out);
    return 0;
  }
}
