package io.raftlog.storage;

import java.nio.ByteBuffer;

/**
 * What a shard store keeps of one stream besides its records: when it was created (the shard
 * leader's clock), the first offset it can serve (0: records are never dropped yet) and one past
 * its last record.
 */
public record StreamMeta(long createdMs, long firstOffset, long nextOffset) {
  /** The stream {@code default} before anything was written to it. */
  public static final StreamMeta NEVER_WRITTEN = new StreamMeta(0, 0, 0);

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
