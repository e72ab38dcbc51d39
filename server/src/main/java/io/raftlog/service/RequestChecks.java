package io.raftlog.service;

import io.raftlog.api.v1.Consistency;
import io.raftlog.wire.WireLimits;

/**
 * The checks of a request's plain fields that need no node state: enum values, and uint32 counts
 * that arrive in Java as signed ints (2^31 and above are negative). Pure and stateless; called on
 * gRPC's threads before anything is read or routed, and by the fuzz tests. Each check throws
 * INVALID_ARGUMENT through {@link Errors} or returns the value to use.
 */
final class RequestChecks {
  /** The longest piece of a client's input that goes back in an error message. */
  static final int ECHO_CHARS = 64;

  private RequestChecks() {}

  /** A request's consistency; INVALID_ARGUMENT naming the number for a value this node lacks. */
  static Consistency consistency(int value) {
    Consistency c = Consistency.forNumber(value);
    if (c == null) {
      throw Errors.invalid(
          "unknown consistency "
              + value
              + ": use LINEARIZABLE ("
              + Consistency.LINEARIZABLE_VALUE
              + ") or LOCAL ("
              + Consistency.LOCAL_VALUE
              + ")");
    }
    return c;
  }

  /**
   * Records per consume answer for a uint32 {@code max_records}: 0 means the default, anything over
   * the maximum (including 2^31 and above, negative here) is lowered to it.
   */
  static int maxRecords(int uint32) {
    if (uint32 == 0) {
      return WireLimits.DEFAULT_MAX_RECORDS;
    }
    return (int) Math.min(Integer.toUnsignedLong(uint32), WireLimits.MAX_RECORDS);
  }

  /** Streams per ListStreams page for a uint32 {@code page_size}, as {@link #maxRecords}. */
  static int pageSize(int uint32, int defaultPage, int maxPage) {
    return uint32 == 0 ? defaultPage : (int) Math.min(Integer.toUnsignedLong(uint32), maxPage);
  }

  /**
   * A client's string as an error message may quote it: control and non-ASCII characters as '?',
   * cut to {@link #ECHO_CHARS} characters, so that no input makes the status (sent as an HTTP/2
   * trailer, which clients cap at 8 KiB) too large to deliver.
   */
  static String echo(String input) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(input.length(), ECHO_CHARS); i++) {
      char c = input.charAt(i);
      b.append(c < 0x20 || c > 0x7e ? '?' : c);
    }
    return input.length() > ECHO_CHARS
        ? b + "... (" + input.length() + " characters)"
        : b.toString();
  }
}
