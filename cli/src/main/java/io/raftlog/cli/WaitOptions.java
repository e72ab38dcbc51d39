package io.raftlog.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --no-wait} and {@code --timeout}: whether and how long a command follows its change. */
final class WaitOptions {
  @Option(
      names = "--no-wait",
      description = "Return once the cluster has recorded the request, without following it.")
  boolean noWait;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30m",
      converter = Units.PositiveDurationConverter.class,
      description =
          "How long to follow it (default: ${DEFAULT-VALUE}); past that the command fails with"
              + " exit code 3 while the cluster goes on with the change.")
  Duration timeout;
}
