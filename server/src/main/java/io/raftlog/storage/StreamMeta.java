package io.raftlog.storage;

import io.raftlog.wire.StreamNames;
import java.nio.ByteBuffer;

/**
 * What a shard store keeps of one stream besides its records: when it was created (the shard
 * leader's clock), the first offset it can serve (records below it were truncated), one past its
 * last record, the bytes its stored chunks take, the last timestamp the leader assigned (times the
 * leader assigns never go back within a stream), its retention, and the greatest record timestamp
 * so far (producer-set ones included): the running maximum the stream's time index is keyed by.
 *
 * <p>The running maximum lives here, not only in the last time-index key, because the meta is read
 * and written by every batch that appends to the stream anyway: closing a chunk then costs no read
 * of the index.
 *
 * <p>Immutable; {@link StoreBatch} derives the next meta on the apply thread.
 */
public record StreamMeta(
    long createdMs,
    long firstOffset,
    long nextOffset,
    long storedBytes,
    long lastAppendMs,
    RetentionPolicy retention,
    long maxTimestampMs) {

  /** A stream with no greatest timestamp counted yet. */
  public StreamMeta(
      long createdMs,
      long firstOffset,
      long nextOffset,
      long storedBytes,
      long lastAppendMs,
      RetentionPolicy retention) {
    this(createdMs, firstOffset, nextOffset, storedBytes, lastAppendMs, retention, 0);
  }

  /** A stream that keeps every record and has no bytes or assigned times counted yet. */
  public StreamMeta(long createdMs, long firstOffset, long nextOffset) {
    this(createdMs, firstOffset, nextOffset, 0, 0, RetentionPolicy.KEEP_ALL);
  }

  /** The stream {@code default} before anything was written to it. */
  static final StreamMeta NEVER_WRITTEN = new StreamMeta(0, 0, 0);

  /**
   * The stream's meta given what is {@code stored} for it (null: nothing), or null if it does not
   * exist. The one place of the rule that the stream {@code default} always exists: before its
   * first write it has no meta key and is {@link #NEVER_WRITTEN}.
   */
  static StreamMeta ofStream(String name, StreamMeta stored) {
    if (stored == null && StreamNames.DEFAULT.equals(name)) {
      return NEVER_WRITTEN;
    }
    return stored;
  }

  /**
   * The timestamp the leader gives a record that has none, appended at {@code appendTimeMs} (the
   * entry's leader clock): never before the last one it gave in this stream, so a clock stepped
   * back, or a new leader on a slower clock, stamps the stream's last time again until its clock
   * passes it. The one place of that rule.
   */
  long leaderTimestamp(long appendTimeMs) {
    return Math.max(appendTimeMs, lastAppendMs);
  }

  /** The same stream after one more record, of timestamp {@code timestampMs}. */
  StreamMeta plusRecord(long timestampMs) {
    return new StreamMeta(
        createdMs,
        firstOffset,
        nextOffset + 1,
        storedBytes,
        lastAppendMs,
        retention,
        Math.max(maxTimestampMs, timestampMs));
  }

  /**
   * The same stream after the leader assigned {@code timestampMs} (see {@link #leaderTimestamp}).
   */
  StreamMeta assigned(long timestampMs) {
    return new StreamMeta(
        createdMs,
        firstOffset,
        nextOffset,
        storedBytes,
        Math.max(lastAppendMs, timestampMs),
        retention,
        maxTimestampMs);
  }

  /** The same stream with {@code delta} more bytes of stored chunks. */
  StreamMeta plusBytes(long delta) {
    return new StreamMeta(
        createdMs,
        firstOffset,
        nextOffset,
        storedBytes + delta,
        lastAppendMs,
        retention,
        maxTimestampMs);
  }

  /** The same stream served from {@code first} on. */
  StreamMeta from(long first) {
    return new StreamMeta(
        createdMs, first, nextOffset, storedBytes, lastAppendMs, retention, maxTimestampMs);
  }

  StreamMeta withRetention(RetentionPolicy policy) {
    return new StreamMeta(
        createdMs, firstOffset, nextOffset, storedBytes, lastAppendMs, policy, maxTimestampMs);
  }

  /** The form written before retention (created, first, next): read, never written. */
  static final int OLD_ENCODED_BYTES = 24;

  /**
   * The first form with retention (created, first, next, stored bytes, last assigned time, max age,
   * bytes, records, flags): read, never written.
   */
  static final int RETENTION_ENCODED_BYTES = 8 * 8 + 1;

  /** The form written: {@link #RETENTION_ENCODED_BYTES}'s, then the greatest timestamp. */
  static final int ENCODED_BYTES = RETENTION_ENCODED_BYTES + 8;

  private static final byte HOLD_FOR_CONSUMERS = 1;

  byte[] encode() {
    return ByteBuffer.allocate(ENCODED_BYTES)
        .putLong(createdMs)
        .putLong(firstOffset)
        .putLong(nextOffset)
        .putLong(storedBytes)
        .putLong(lastAppendMs)
        .putLong(retention.maxAgeMs())
        .putLong(retention.maxBytes())
        .putLong(retention.maxRecords())
        .put(retention.holdForConsumers() ? HOLD_FOR_CONSUMERS : 0)
        .putLong(maxTimestampMs)
        .array();
  }

  /** StoreException for bytes of another length: a corrupt meta key, not a crash of the reader. */
  static StreamMeta decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length == OLD_ENCODED_BYTES) {
      return new StreamMeta(b.getLong(), b.getLong(), b.getLong());
    }
    if (bytes.length != ENCODED_BYTES && bytes.length != RETENTION_ENCODED_BYTES) {
      throw new StoreException(
          "a stored stream meta is corrupt: "
              + bytes.length
              + " bytes where "
              + ENCODED_BYTES
              + " should be",
          null);
    }
    long created = b.getLong();
    long first = b.getLong();
    long next = b.getLong();
    long stored = b.getLong();
    long lastAppend = b.getLong();
    RetentionPolicy retention =
        new RetentionPolicy(
            b.getLong(), b.getLong(), b.getLong(), (b.get() & HOLD_FOR_CONSUMERS) != 0);
    long maxTimestamp = b.remaining() >= 8 ? b.getLong() : 0;
    return new StreamMeta(created, first, next, stored, lastAppend, retention, maxTimestamp);
  }
}
