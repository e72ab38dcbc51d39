package io.raftlog.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Per-stream traffic of this node over fixed windows ({@link #WINDOW_MS}): the window being counted
 * and the last whole one, whose rates {@link #top} answers. A window counts at most {@link
 * #MAX_STREAMS} streams (the first seen in it), so memory stays bounded however many streams there
 * are; metrics carry no per-stream labels, and this is where a hot stream is found. Any thread.
 */
public final class StreamActivity {
  /** Length of a window. */
  public static final long WINDOW_MS = 10_000;

  /** Streams one window counts; traffic of others in that window is not attributed. */
  static final int MAX_STREAMS = 4096;

  /** One stream's counts in one window. */
  static final class Counts {
    final LongAdder recordsAppended = new LongAdder();
    final LongAdder bytesAppended = new LongAdder();
    final LongAdder recordsRead = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
  }

  /** A stream's rates over the last whole window. */
  public record Rates(
      String stream,
      double recordsAppendedPerSec,
      double bytesAppendedPerSec,
      double recordsReadPerSec,
      double bytesReadPerSec) {}

  private final LongSupplier clock;
  private volatile long windowStart;
  private volatile Map<String, Counts> current = new ConcurrentHashMap<>();
  private volatile Map<String, Counts> last = Map.of();

  StreamActivity(LongSupplier clockMs) {
    this.clock = clockMs;
    this.windowStart = clockMs.getAsLong();
  }

  void appended(String stream, int records, long bytes) {
    Counts c = counts(stream);
    if (c != null) {
      c.recordsAppended.add(records);
      c.bytesAppended.add(bytes);
    }
  }

  void read(String stream, int records, long bytes) {
    Counts c = counts(stream);
    if (c != null) {
      c.recordsRead.add(records);
      c.bytesRead.add(bytes);
    }
  }

  private Counts counts(String stream) {
    Map<String, Counts> now = roll();
    Counts c = now.get(stream);
    if (c == null && now.size() < MAX_STREAMS) {
      c = now.computeIfAbsent(stream, k -> new Counts());
    }
    return c;
  }

  /** The window being counted, after moving on if the current one has ended. */
  private Map<String, Counts> roll() {
    long t = clock.getAsLong();
    if (t - windowStart < WINDOW_MS) {
      return current;
    }
    synchronized (this) {
      if (t - windowStart >= WINDOW_MS) {
        // A window with no traffic after it (a gap of two or more) leaves nothing to report.
        last = t - windowStart < 2 * WINDOW_MS ? current : Map.of();
        current = new ConcurrentHashMap<>();
        windowStart = t - (t - windowStart) % WINDOW_MS;
      }
      return current;
    }
  }

  /**
   * The {@code limit} busiest streams of the last whole window, by {@code order}, busiest first.
   */
  public List<Rates> top(int limit, Comparator<Rates> order) {
    roll();
    double secs = WINDOW_MS / 1000.0;
    List<Rates> all = new ArrayList<>();
    for (Map.Entry<String, Counts> e : last.entrySet()) {
      Counts c = e.getValue();
      all.add(
          new Rates(
              e.getKey(),
              c.recordsAppended.sum() / secs,
              c.bytesAppended.sum() / secs,
              c.recordsRead.sum() / secs,
              c.bytesRead.sum() / secs));
    }
    all.sort(order);
    return all.size() <= limit ? all : List.copyOf(all.subList(0, limit));
  }

  /** Busiest first by bytes appended plus read. */
  public static final Comparator<Rates> BY_BYTES =
      Comparator.comparingDouble((Rates r) -> -(r.bytesAppendedPerSec() + r.bytesReadPerSec()))
          .thenComparing(Rates::stream);

  /** Busiest first by records appended plus read. */
  public static final Comparator<Rates> BY_RECORDS =
      Comparator.comparingDouble((Rates r) -> -(r.recordsAppendedPerSec() + r.recordsReadPerSec()))
          .thenComparing(Rates::stream);
}
