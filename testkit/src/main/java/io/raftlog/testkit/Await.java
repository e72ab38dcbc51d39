package io.raftlog.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls for a state with a deadline, so nothing sleeps a fixed time hoping a state was reached.
 * Exceptions thrown by a probe count as "not yet".
 */
public final class Await {
  private static final long POLL_MILLIS = 50;

  private Await() {}

  /** Returns once {@code condition} holds; an AssertionError naming {@code what} on timeout. */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    value(timeout, what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
  }

  /**
   * The first non-null value {@code probe} returns; an AssertionError naming {@code what} (with the
   * probe's last exception as its cause) on timeout.
   */
  public static <T> T value(Duration timeout, String what, Supplier<T> probe) {
    RuntimeException[] last = new RuntimeException[1];
    T v = poll(timeout, probe, last);
    if (v == null) {
      throw new AssertionError("timed out after " + timeout + " waiting for " + what, last[0]);
    }
    return v;
  }

  /** The first non-null value {@code probe} returns, or null once {@code timeout} has passed. */
  public static <T> T poll(Duration timeout, Supplier<T> probe) {
    return poll(timeout, probe, new RuntimeException[1]);
  }

  private static <T> T poll(Duration timeout, Supplier<T> probe, RuntimeException[] last) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        T v = probe.get();
        if (v != null) {
          return v;
        }
      } catch (RuntimeException e) {
        last[0] = e;
      }
      if (System.nanoTime() >= deadline) {
        return null;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting", e);
      }
    }
  }
}
