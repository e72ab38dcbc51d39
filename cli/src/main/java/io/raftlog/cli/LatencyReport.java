package io.raftlog.cli;

import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies of a benchmark in an HdrHistogram (microsecond resolution, 3 significant digits).
 * {@link #record} may be called from any number of threads at once.
 */
final class LatencyReport {
  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(3);

  /** Records one latency. */
  void record(long nanos) {
    recorder.recordValue(Math.max(1, nanos / 1_000));
  }

  /** Everything recorded so far. Call it from one thread. */
  synchronized Histogram histogram() {
    total.add(recorder.getIntervalHistogram());
    return total;
  }

  long count() {
    return histogram().getTotalCount();
  }

  /**
   * Kafka's perf-tool wording for {@code what} (e.g. "latency" or "page latency"): {@code 12.3 ms
   * avg latency, 80.1 ms max latency, 10.0 ms 50th, 30.0 ms 95th, 45.0 ms 99th, 70.0 ms 99.9th}.
   */
  String summary(String what) {
    Histogram h = histogram();
    if (h.getTotalCount() == 0) {
      return String.format(Locale.ROOT, "no %s measured", what);
    }
    return String.format(
        Locale.ROOT,
        "%.1f ms avg %s, %.1f ms max %s, %.1f ms 50th, %.1f ms 95th, %.1f ms 99th, %.1f ms 99.9th",
        h.getMean() / 1000.0,
        what,
        h.getMaxValue() / 1000.0,
        what,
        ms(h, 50),
        ms(h, 95),
        ms(h, 99),
        ms(h, 99.9));
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }
}
