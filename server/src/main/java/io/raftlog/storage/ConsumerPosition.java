package io.raftlog.storage;

import java.nio.ByteBuffer;

/**
 * A named consumer's committed position in one stream: the offset of the next record it will read,
 * and when the commit was applied (the shard leader's clock). Stored under {@link
 * KeyLayout#consumerKey} as the two longs.
 */
public record ConsumerPosition(String consumer, long offset, long commitMs) {

  byte[] encode() {
    return ByteBuffer.allocate(16).putLong(offset).putLong(commitMs).array();
  }

  /** StoreException for bytes of another length: a corrupt consumer key. */
  static ConsumerPosition decode(String consumer, byte[] bytes) {
    if (bytes.length != 16) {
      throw new StoreException(
          "the stored position of consumer '"
              + consumer
              + "' is corrupt: "
              + bytes.length
              + " bytes",
          null);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new ConsumerPosition(consumer, b.getLong(), b.getLong());
  }
}
