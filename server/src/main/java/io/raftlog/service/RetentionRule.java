package io.raftlog.service;

import io.raftlog.api.v1.Retention;

/**
 * What CreateStream and UpdateStream accept as a stream's {@code retention}: each limit is 0 (none)
 * or a value a stream could reach. Values are uint64 on the wire, so nothing negative arrives, but
 * absurd ones do (2^63 and above arrive here negative): refused with INVALID_ARGUMENT naming the
 * field, before anything is routed or changed. Pure; called on gRPC's threads and by the fuzz
 * tests.
 */
final class RetentionRule {
  /** About a hundred years: an age limit beyond it is a unit mistake, not a policy. */
  static final long MAX_AGE_MS = 100L * 366 * 24 * 3600 * 1000;

  /** Larger than any disk or count of records a stream could hold. */
  static final long MAX_BYTES = 1L << 62;

  static final long MAX_RECORDS = 1L << 62;

  private RetentionRule() {}

  /** Throws INVALID_ARGUMENT naming the first field of {@code retention} out of range. */
  static void check(Retention retention) {
    if (retention.hasMaxAgeMs()) {
      within("retention.max_age_ms", retention.getMaxAgeMs(), MAX_AGE_MS, " (about 100 years)");
    }
    if (retention.hasMaxBytes()) {
      within("retention.max_bytes", retention.getMaxBytes(), MAX_BYTES, " (2^62)");
    }
    if (retention.hasMaxRecords()) {
      within("retention.max_records", retention.getMaxRecords(), MAX_RECORDS, " (2^62)");
    }
  }

  private static void within(String field, long uint64, long max, String what) {
    if (Long.compareUnsigned(uint64, max) > 0) {
      throw Errors.invalid(
          field
              + " is "
              + Long.toUnsignedString(uint64)
              + ": at most "
              + max
              + what
              + ", or 0 for no limit");
    }
  }
}
