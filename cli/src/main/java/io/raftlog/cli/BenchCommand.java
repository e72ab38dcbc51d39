package io.raftlog.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code raftlog bench produce|consume|lookup|plot}: throughput and latency of a cluster. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Measures throughput and latency of the cluster.",
      "",
      "Each benchmark prints one summary line on standard output and, on a terminal, its"
          + " progress on standard error."
    },
    subcommands = {
      BenchProduceCommand.class,
      BenchConsumeCommand.class,
      BenchLookupCommand.class,
      BenchPlotCommand.class
    })
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }
}
