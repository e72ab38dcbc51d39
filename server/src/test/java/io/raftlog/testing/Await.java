package io.raftlog.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls for a state with a deadline, so no test sleeps a fixed time hoping a state was reached. */
public final class Await {
  private Await() {}

  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    value(timeout, what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /** The first non-null value {@code probe} returns; exceptions count as "not yet". */
  public static <T> T value(Duration timeout, String what, Supplier<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        T v = probe.get();
        if (v != null) {
          return v;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what, last);
  }
}
