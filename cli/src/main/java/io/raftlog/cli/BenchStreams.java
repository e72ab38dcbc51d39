package io.raftlog.cli;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The stream names a benchmark writes to or reads from. */
final class BenchStreams {
  private BenchStreams() {}

  /**
   * {@code count} names {@code prefix} + a zero-padded index ({@code bench-000000}, {@code
   * bench-000001}, ...; six digits, more when {@code count} needs them), built before the clock
   * starts.
   */
  static String[] names(String prefix, int count) {
    int width = Math.max(6, Long.toString(Math.max(count - 1, 0)).length());
    String format = "%s%0" + width + "d";
    String[] names = new String[count];
    for (int i = 0; i < count; i++) {
      names[i] = String.format(Locale.ROOT, format, prefix, i);
    }
    return names;
  }

  /**
   * Counts a sent record when its offset comes back: its latency from {@code sentNanos}, one more
   * acknowledged; or keeps the first failure, which ends the run.
   */
  static void whenAcknowledged(
      CompletableFuture<Long> offset,
      long sentNanos,
      LatencyReport latency,
      AtomicLong acked,
      AtomicReference<Throwable> failure) {
    offset.whenComplete(
        (o, e) -> {
          if (e == null) {
            latency.record(System.nanoTime() - sentNanos);
            acked.incrementAndGet();
          } else {
            failure.compareAndSet(null, e);
          }
        });
  }
}
