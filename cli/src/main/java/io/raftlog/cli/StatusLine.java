package io.raftlog.cli;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * The progress of a wait, on standard output: on a terminal one line rewritten in place (with
 * {@code \r}) at every look; elsewhere (a log, a pipe) one line per change of the status, so a log
 * holds each step once. Each line starts with the time since the wait began. Used by one command's
 * thread.
 */
final class StatusLine {
  private final PrintWriter out;
  private final boolean terminal;
  private String last;
  private int shown; // length of the line on the terminal

  StatusLine(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Shows {@code status}, {@code elapsed} into the wait. */
  void show(Duration elapsed, String status) {
    String line = "[" + Units.duration(Duration.ofSeconds(elapsed.toSeconds())) + "] " + status;
    if (terminal) {
      out.print('\r' + line + " ".repeat(Math.max(0, shown - line.length())));
      shown = line.length();
      Failures.flush(out);
    } else if (!status.equals(last)) {
      out.println(line);
      Failures.flush(out);
    }
    last = status;
  }

  /** Ends the rewritten line on a terminal, so what follows starts on a line of its own. */
  void end() {
    if (terminal && shown > 0) {
      out.println();
      Failures.flush(out);
      shown = 0;
    }
  }
}
