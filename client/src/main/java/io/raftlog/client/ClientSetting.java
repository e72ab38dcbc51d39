package io.raftlog.client;

import java.time.Duration;
import java.util.function.Function;

/**
 * One setting of a {@link RaftlogClient}, declared once in {@link ClientSettings}: the builder call
 * that sets it, its default, what a valid value is, and one line of documentation. The {@link
 * RaftlogClientBuilder} checks values with it, {@link ClientOptions} holds them by it, and a test
 * holds README's client settings table against these declarations.
 *
 * @param call the builder call as README's table shows it, e.g. {@code deadline}
 * @param defaultValue the value when the builder does not set it
 * @param shown the value as README's table shows it, e.g. {@code 30 s}
 * @param problem what is wrong with a value, or null when it is valid
 * @param doc one line for README's table
 */
public record ClientSetting<T>(
    String call,
    T defaultValue,
    Function<T, String> shown,
    Function<T, String> problem,
    String doc) {

  /** The default as README's table shows it. */
  public String defaultText() {
    return shown.apply(defaultValue);
  }

  /**
   * {@code value} if it is valid.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  T check(T value) {
    String p = problem.apply(value);
    if (p != null) {
      throw new IllegalArgumentException(p);
    }
    return value;
  }

  static ClientSetting<Duration> positiveDuration(
      String call, Duration dflt, String what, String doc) {
    return new ClientSetting<>(
        call,
        dflt,
        ClientSetting::human,
        d -> d.isNegative() || d.isZero() ? what + " must be positive, got " + d : null,
        doc);
  }

  static ClientSetting<Duration> duration(String call, Duration dflt, String what, String doc) {
    return new ClientSetting<>(
        call, dflt, ClientSetting::human, d -> d.isNegative() ? what + " must be >= 0" : null, doc);
  }

  static ClientSetting<Integer> bytes(String call, int dflt, String what, String doc) {
    return new ClientSetting<>(
        call, dflt, b -> bytes((long) b), b -> b < 1 ? what + " must be positive" : null, doc);
  }

  static ClientSetting<Long> longBytes(String call, long dflt, String what, String doc) {
    return new ClientSetting<>(
        call, dflt, ClientSetting::bytes, b -> b < 1 ? what + " must be positive" : null, doc);
  }

  /** {@code 30 s}, {@code 250 ms}. */
  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /** {@code 256 KiB}, {@code 32 MiB}. */
  static String bytes(long b) {
    if (b % (1 << 20) == 0) {
      return (b >> 20) + " MiB";
    }
    return b % (1 << 10) == 0 ? (b >> 10) + " KiB" : b + " B";
  }
}
