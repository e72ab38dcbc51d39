package io.raftlog.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress report on standard error, redrawn about once a second with {@code \r}, for
 * long benchmarks run from a terminal; a no-op otherwise, so that logs and pipes get only results.
 */
final class Progress implements AutoCloseable {
  private static final long INTERVAL_MILLIS = 1_000;

  private final PrintWriter err;
  private final String label;
  private final long total;
  private final LongSupplier records;
  private final LongSupplier bytes;
  private final Thread thread;
  private int shown; // length of the line on screen

  private Progress(
      PrintWriter err, String label, long total, LongSupplier records, LongSupplier bytes) {
    this.err = err;
    this.label = label;
    this.total = total;
    this.records = records;
    this.bytes = bytes;
    this.thread = new Thread(this::run, "raftlog-progress");
    thread.setDaemon(true);
  }

  /**
   * Starts reporting {@code records} of {@code total} (and {@code bytes}, for the rate) if {@code
   * enabled}.
   */
  static Progress start(
      boolean enabled,
      PrintWriter err,
      String label,
      long total,
      LongSupplier records,
      LongSupplier bytes) {
    Progress p = new Progress(err, label, total, records, bytes);
    if (enabled) {
      p.thread.start();
    }
    return p;
  }

  private void run() {
    long lastRecords = 0;
    long lastBytes = 0;
    long lastNanos = System.nanoTime();
    try {
      while (true) {
        Thread.sleep(INTERVAL_MILLIS);
        long now = System.nanoTime();
        long r = records.getAsLong();
        long b = bytes.getAsLong();
        double secs = (now - lastNanos) / 1e9;
        draw(
            String.format(
                Locale.ROOT,
                "%s: %d/%d records (%d%%), %.1f records/sec, %.2f MB/sec",
                label,
                r,
                total,
                total == 0 ? 100 : r * 100 / total,
                (r - lastRecords) / secs,
                (b - lastBytes) / secs / (1 << 20)));
        lastRecords = r;
        lastBytes = b;
        lastNanos = now;
      }
    } catch (InterruptedException e) {
      // closed
    }
  }

  private synchronized void draw(String line) {
    err.print('\r' + line + " ".repeat(Math.max(0, shown - line.length())));
    err.flush();
    shown = line.length();
  }

  /** Stops reporting and clears the line. */
  @Override
  public void close() {
    if (!thread.isAlive()) {
      return;
    }
    thread.interrupt();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (shown > 0) {
        err.print('\r' + " ".repeat(shown) + '\r');
        err.flush();
        shown = 0;
      }
    }
  }
}
