package io.raftlog.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine.Option;

/**
 * {@code --watch}, {@code --interval} and {@code --count}: whether a command that shows the cluster
 * now shows it again and again, and {@link #run}, the one way the commands do it. On a terminal
 * each look clears the screen and draws in its place; elsewhere (a log, a pipe, a test) each look
 * is a block of its own after a line with its time. Runs on, and blocks, the command's thread.
 */
final class WatchOptions {
  /** ANSI: cursor home, then erase the screen. */
  private static final String CLEAR = "\033[H\033[2J";

  @Option(
      names = "--watch",
      description = "Show it again every --interval, until Ctrl-C (or --count looks).")
  boolean watch;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = Units.PositiveDurationConverter.class,
      description = "With --watch, the time between two looks (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "0",
      description = "With --watch, stop after N looks (default: 0, never), for scripts.")
  int count;

  /** One look: draws what it saw on {@code out}. */
  @FunctionalInterface
  interface Look {
    void draw(PrintWriter out);
  }

  /**
   * Draws {@code look} once, or with {@code --watch} every {@code --interval} ({@code --count}
   * times, or until interrupted). Answers the exit code: 0, or 130 when interrupted.
   */
  int run(PrintWriter out, boolean terminal, Look look) {
    if (count < 0) {
      throw new IllegalArgumentException("--count must be 0 (never stop) or more, not " + count);
    }
    if (!watch) {
      look.draw(out);
      Failures.flush(out);
      return 0;
    }
    for (int i = 0; count == 0 || i < count; i++) {
      if (i > 0) {
        try {
          Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Failures.INTERRUPTED;
        }
      }
      String when = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      if (terminal) {
        out.print(CLEAR);
      } else if (i > 0) {
        out.println();
      }
      out.println("at " + when + ", every " + Units.duration(interval) + " (Ctrl-C to stop)");
      out.println();
      look.draw(out);
      Failures.flush(out);
    }
    return 0;
  }
}
