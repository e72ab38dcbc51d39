package io.raftlog.service;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.wire.StreamNames;
import io.raftlog.wire.WireLimits;

/**
 * The checks of a request's plain fields that need no node state: enum values, and uint32 counts
 * that arrive in Java as signed ints (2^31 and above are negative). Pure and stateless; called on
 * gRPC's threads before anything is read or routed, and by the fuzz tests. Each check throws
 * INVALID_ARGUMENT through {@link Errors} (OUT_OF_RANGE for an offset past any stream's end) or
 * returns the value to use.
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

  /** A read's reset policy; INVALID_ARGUMENT naming the number for a value this node lacks. */
  static OffsetReset reset(int value) {
    OffsetReset r = OffsetReset.forNumber(value);
    if (r == null) {
      throw Errors.invalid(
          "unknown reset "
              + value
              + ": use OFFSET_RESET_FAIL ("
              + OffsetReset.OFFSET_RESET_FAIL_VALUE
              + "), OFFSET_RESET_EARLIEST ("
              + OffsetReset.OFFSET_RESET_EARLIEST_VALUE
              + ") or OFFSET_RESET_LATEST ("
              + OffsetReset.OFFSET_RESET_LATEST_VALUE
              + ")");
    }
    return r;
  }

  /**
   * The plain fields of a Consume or ConsumeStream request (reset policy, start time), checked
   * before it is routed: INVALID_ARGUMENT naming the field.
   */
  static void consume(ConsumeRequest request) {
    reset(request.getResetValue());
    if (request.hasFromTimestampMs() && request.getFromTimestampMs() < 0) {
      throw Errors.invalid(
          "from_timestamp_ms is "
              + request.getFromTimestampMs()
              + ": give milliseconds since the Unix epoch, 0 or more");
    }
  }

  /** A consumer's name, which follows the stream-name rule; INVALID_ARGUMENT naming `consumer`. */
  static String consumerName(String name) {
    String problem = StreamNames.problem(name);
    if (problem != null) {
      throw Errors.invalid("consumer: " + problem.replace("stream name", "consumer name"));
    }
    return name;
  }

  /**
   * An offset a write names (uint64 on the wire): 2^63 and above arrive negative, and are past the
   * next offset of any stream: OUT_OF_RANGE naming {@code field}.
   */
  static long writeOffset(String field, long uint64) {
    if (uint64 < 0) {
      throw Errors.pastAnyEnd(field, uint64);
    }
    return uint64;
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
