package io.raftlog.service;

import io.raftlog.api.v1.OffsetReset;

/**
 * The one rule for a read whose position is below its stream's first offset (retention or Truncate
 * removed the records there): FAIL ends it with OUT_OF_RANGE naming the offsets the stream holds,
 * EARLIEST goes on from the first offset, LATEST from the next. Used where a Consume or
 * ConsumeStream starts ({@link ReadPath}) and where a ConsumeStream is overtaken while it reads
 * ({@link TailSubscription}). Pure; runs on the read executor.
 */
final class OffsetResets {
  private OffsetResets() {}

  /** Whether a read at {@code position} (unsigned) would start below {@code firstOffset}. */
  static boolean below(long position, long firstOffset) {
    return Long.compareUnsigned(position, firstOffset) < 0;
  }

  /**
   * Where a read at {@code position}, below {@code firstOffset}, goes on under {@code reset}; for
   * FAIL, throws OUT_OF_RANGE.
   */
  static long resume(
      OffsetReset reset, String stream, long position, long firstOffset, long nextOffset) {
    return switch (reset) {
      case OFFSET_RESET_EARLIEST -> firstOffset;
      case OFFSET_RESET_LATEST -> nextOffset;
      case OFFSET_RESET_FAIL, UNRECOGNIZED ->
          throw Errors.belowFirst(stream, position, firstOffset, nextOffset);
    };
  }
}
