package io.raftlog.storage;

import io.raftlog.wire.StreamNames;
import java.nio.ByteBuffer;

/**
 * What a shard store keeps of one stream besides its records: when it was created (the shard
 * leader's clock), the first offset it can serve (records below it were truncated), one past its
 * last record, the bytes its stored chunks take, the last timestamp the leader assigned (times the
 * leader assigns never go back within a stream) and its retention.
 */
public record StreamMeta(
    long createdMs,
    long firstOffset,
    long nextOffset,
    long storedBytes,
    long lastAppendMs,
    RetentionPolicy retention) {

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

  /** The same stream after {@code count} more records. */
  StreamMeta plus(long count) {
    return new StreamMeta(
        createdMs, firstOffset, nextOffset + count, storedBytes, lastAppendMs, retention);
  }

  /** The form written before retention (created, first, next): read, never written. */
  static final int OLD_ENCODED_BYTES = 24;

  /** created, first, next, stored bytes, last assigned time, max age, bytes, records, flags. */
  static final int ENCODED_BYTES = 8 * 8 + 1;

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
        .array();
  }

  /** StoreException for bytes of another length: a corrupt meta key, not a crash of the reader. */
  static StreamMeta decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length == OLD_ENCODED_BYTES) {
      return new StreamMeta(b.getLong(), b.getLong(), b.getLong());
    }
    if (bytes.length != ENCODED_BYTES) {
      throw new StoreException(
          "a stored stream meta is corrupt: "
              + bytes.length
              + " bytes where "
              + ENCODED_BYTES
              + " should be",
          null);
    }
    return new StreamMeta(
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        b.getLong(),
        new RetentionPolicy(
            b.getLong(), b.getLong(), b.getLong(), (b.get() & HOLD_FOR_CONSUMERS) != 0));
  }
}
