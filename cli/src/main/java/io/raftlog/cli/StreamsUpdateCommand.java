package io.raftlog.cli;

import io.raftlog.api.v1.StreamInfo;
import io.raftlog.client.RaftlogClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftlog streams update NAME --retention-...}: changes a stream's retention. */
@Command(
    name = "update",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Changes a stream's retention: only the flags given change, the others keep their value"
          + " (NOT_FOUND, exit code 4, if the stream does not exist).",
      "",
      "A tighter retention takes effect at the shard leader's next retention check"
          + " (retention.check-interval-ms)."
    })
final class StreamsUpdateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Mixin RetentionOptions retention;

  @Parameters(
      index = "0",
      paramLabel = "NAME",
      converter = StreamNameConverter.class,
      description = "The stream.")
  String name;

  @Override
  public Integer call() {
    if (retention.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(),
          "nothing to change: give --retention-age, --retention-bytes, --retention-records or"
              + " --[no-]hold-for-consumers");
    }
    StreamInfo s;
    try (RaftlogClient client = server.connect()) {
      s = client.updateStream(name, retention.retention());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "updated stream '"
            + s.getName()
            + "': retention "
            + RetentionOptions.text(s.getRetention()));
    Failures.flush(out);
    return 0;
  }
}
