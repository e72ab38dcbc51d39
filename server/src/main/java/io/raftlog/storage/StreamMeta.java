package io.raftlog.storage;

import io.raftlog.wire.StreamNames;
import java.nio.ByteBuffer;

/**
 * What a shard store keeps of one stream besides its records: when it was created (the shard
 * leader's clock), the first offset it can serve (0: records are never dropped yet) and one past
 * its last record.
 */
public record StreamMeta(long createdMs, long firstOffset, long nextOffset) {
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

  static final int ENCODED_BYTES = 24;

  /** The same stream after {@code count} more records. */
  StreamMeta plus(long count) {
    return new StreamMeta(createdMs, firstOffset, nextOffset + count);
  }

  byte[] encode() {
    return ByteBuffer.allocate(ENCODED_BYTES)
        .putLong(createdMs)
        .putLong(firstOffset)
        .putLong(nextOffset)
        .array();
  }

  /** StoreException for bytes of another length: a corrupt meta key, not a crash of the reader. */
  static StreamMeta decode(byte[] bytes) {
    if (bytes.length != ENCODED_BYTES) {
      throw new StoreException(
          "a stored stream meta is corrupt: "
              + bytes.length
              + " bytes where "
              + ENCODED_BYTES
              + " should be",
          null);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new StreamMeta(b.getLong(), b.getLong(), b.getLong());
  }
}
