package io.raftlog.cli;

import io.raftlog.api.v1.GetClusterResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * {@code --no-wait} and {@code --timeout}: whether and how long a command follows the change it
 * asked for, and {@link #follow}, the one way the commands do it.
 */
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

  /**
   * After the cluster recorded a change: with {@code --no-wait} prints the command that shows it,
   * else follows it with {@code judge} (progress on {@code out}, a line rewritten in place on a
   * {@code terminal}) and prints its result. Answers the exit code: 0, or 130 when Ctrl-C stopped
   * the wait.
   *
   * @param what the change, for the messages ("the drain of node 3")
   * @param showIt the command that shows it, for --no-wait ("raftlog nodes list")
   */
  int follow(
      Supplier<GetClusterResponse> poll,
      PrintWriter out,
      PrintWriter err,
      boolean terminal,
      String what,
      String showIt,
      ClusterWatch.Judge judge) {
    if (noWait) {
      out.println("follow it with: " + showIt);
    } else {
      ClusterWatch watch =
          new ClusterWatch(poll, new StatusLine(out, terminal), ClusterWatch.INTERVAL);
      ClusterWatch.Seen seen = watch.awaitUnlessStopped(what, timeout, judge, err);
      if (seen == null) {
        return Failures.INTERRUPTED;
      }
      out.println(seen.status());
    }
    Failures.flush(out);
    return 0;
  }
}
