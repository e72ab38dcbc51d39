package io.raftlog.logback;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The events an appender dropped: a total for {@link RaftlogAppender#droppedEvents()}, and the
 * drops not yet reported into the stream, with the times of the first and the last.
 *
 * <p>Application threads add drops without a lock ({@link #add} is two atomic updates), so a full
 * buffer never makes them wait on each other. The shipper thread takes the reports; the thread that
 * stops the appender takes what is left.
 */
final class Drops {
  /** Drops the stream has not been told of yet. */
  record Unreported(long count, long firstMillis, long lastMillis) {}

  private final AtomicLong total = new AtomicLong();
  // Millis of the first drop not yet reported, 0 when none: its setting starts a dropping episode.
  private final AtomicLong firstUnreported = new AtomicLong();
  private volatile long lastMillis;
  private long reported; // guarded by this: the shipper thread, then the one stopping it

  /** Any thread: {@code n} events dropped now; true when this starts a dropping episode. */
  boolean add(long n) {
    long now = System.currentTimeMillis();
    total.addAndGet(n);
    lastMillis = now;
    return firstUnreported.compareAndSet(0, now);
  }

  /** Events dropped since the appender started. */
  long total() {
    return total.get();
  }

  /** Whether drops wait to be reported. */
  boolean pending() {
    return firstUnreported.get() != 0;
  }

  /**
   * Shipper thread: the drops not reported yet, if the cluster acknowledged a record after the
   * first of them (at {@code lastAckMillis}): it takes records again, so the report can go. They
   * count as reported from now on. Null when there is nothing to report or no acknowledgement yet.
   */
  synchronized Unreported takeIfAckedSince(long lastAckMillis) {
    long first = firstUnreported.get();
    if (first == 0 || lastAckMillis <= first) {
      return null;
    }
    // A drop between this reset and the read of the total below is in this report, and starts an
    // episode of its own that will find nothing more to report.
    firstUnreported.set(0);
    long now = total.get();
    long n = now - reported;
    reported = now;
    return n == 0 ? null : new Unreported(n, first, Math.max(first, lastMillis));
  }

  /** The stopping thread, at shutdown: every drop not reported yet; they count as reported. */
  synchronized long takeAll() {
    firstUnreported.set(0);
    long now = total.get();
    long n = now - reported;
    reported = now;
    return n;
  }
}
