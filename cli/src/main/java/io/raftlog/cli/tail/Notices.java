package io.raftlog.cli.tail;

import java.io.PrintWriter;

/**
 * What {@code raftlog tail} tells the person running it, on standard error, one line per change
 * (never one per retry): which file starts where, rotations, cut lines, waiting for the cluster and
 * its return. Shared by the files' threads, so each line is written whole.
 */
public final class Notices {
  private final PrintWriter err;

  public Notices(PrintWriter err) {
    this.err = err;
  }

  void say(String file, String message) {
    synchronized (err) {
      err.println("raftlog tail: " + file + ": " + message);
      err.flush();
    }
  }
}
