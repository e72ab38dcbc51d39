package io.raftlog.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": the n-th wait is half of min(max, initial * 2^n) plus a
 * random part of the other half, so clients that failed together do not retry together.
 */
final class Backoff {
  private final long initialNanos;
  private final long maxNanos;

  Backoff(Duration initial, Duration max) {
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
  }

  /** The wait before retry number {@code retry} (1 for the first retry). */
  long nanosBefore(int retry) {
    long cap = initialNanos << Math.min(Math.max(retry - 1, 0), 20);
    cap = Math.min(maxNanos, cap < 0 ? maxNanos : cap);
    long half = cap / 2;
    return half + ThreadLocalRandom.current().nextLong(half + 1);
  }
}
