package io.raftlog.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys of a shard store (docs/design/streams.md): {@code r}+name+{@code 0x00}+offset (8 bytes,
 * big-endian) holds a chunk of records; {@code i}+name+{@code 0x00}+running max timestamp (8
 * bytes)+chunk offset (8 bytes) indexes that chunk (its record count and bytes, {@link
 * ChunkIndex}); {@code c}+name+{@code 0x00}+consumer a named consumer's position; {@code s}+name
 * the stream's {@link StreamMeta}; {@code p}+producer id (8 bytes) the producer's entry; {@code
 * g/applied_index} the Raft index, {@code g/stream_count} the number of streams. Names never
 * contain {@code 0x00}, so a stream's keys of one family sort together and before those of any name
 * it is a prefix of; big-endian offsets sort in offset order under RocksDB's bytewise comparator.
 *
 * <p>The time index is keyed by the stream's running maximum timestamp (the greatest record
 * timestamp up to and including the chunk), which never decreases from one chunk to the next, and
 * timestamps are positive (a record without one gets the leader's time): so the index keys sort in
 * chunk order, and one seek finds the first chunk whose running maximum reaches a time.
 *
 * <p>Pure functions over bytes, used by the store's reads and its write batch on any thread.
 */
final class KeyLayout {
  private static final byte RECORD = 'r';
  private static final byte STREAM = 's';
  private static final byte PRODUCER = 'p';
  private static final byte INDEX = 'i';
  private static final byte CONSUMER = 'c';

  /** The key of the Raft index the store holds the changes up to. */
  static final byte[] APPLIED_INDEX = "g/applied_index".getBytes(StandardCharsets.UTF_8);

  /** The key of the number of streams (of {@code s} keys) the store holds. */
  static final byte[] STREAM_COUNT = "g/stream_count".getBytes(StandardCharsets.UTF_8);

  /** The first key of the producer table, and the first key after it. */
  static final byte[] PRODUCERS_FROM = {PRODUCER};

  static final byte[] PRODUCERS_UNTIL = {PRODUCER + 1};

  private KeyLayout() {}

  /** The key of the chunk of {@code stream} whose first record has {@code offset}. */
  static byte[] recordKey(String stream, long offset) {
    byte[] prefix = recordPrefix(stream);
    return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(offset).array();
  }

  /** What every chunk key of {@code stream} starts with. */
  static byte[] recordPrefix(String stream) {
    return prefix(RECORD, stream);
  }

  /** The offset of the first record of the chunk under {@code recordKey}. */
  static long chunkOffset(byte[] recordKey) {
    return ByteBuffer.wrap(recordKey, recordKey.length - 8, 8).getLong();
  }

  /** What every time-index key of {@code stream} starts with. */
  static byte[] indexPrefix(String stream) {
    return prefix(INDEX, stream);
  }

  /**
   * The time-index key of the chunk from {@code chunkOffset}, up to which the max is {@code ts}.
   */
  static byte[] indexKey(String stream, long maxTimestampMs, long chunkOffset) {
    byte[] prefix = indexPrefix(stream);
    return ByteBuffer.allocate(prefix.length + 16)
        .put(prefix)
        .putLong(maxTimestampMs)
        .putLong(chunkOffset)
        .array();
  }

  /** The chunk offset an {@link #indexKey} names. */
  static long indexedChunk(byte[] indexKey) {
    return ByteBuffer.wrap(indexKey, indexKey.length - 8, 8).getLong();
  }

  /** The running max timestamp an {@link #indexKey} holds. */
  static long indexedMaxTimestamp(byte[] indexKey) {
    return ByteBuffer.wrap(indexKey, indexKey.length - 16, 8).getLong();
  }

  /** What every consumer key of {@code stream} starts with. */
  static byte[] consumerPrefix(String stream) {
    return prefix(CONSUMER, stream);
  }

  static byte[] consumerKey(String stream, String consumer) {
    byte[] prefix = consumerPrefix(stream);
    byte[] c = name(consumer);
    return ByteBuffer.allocate(prefix.length + c.length).put(prefix).put(c).array();
  }

  /**
   * The consumer a {@link #consumerKey} of a stream whose prefix has {@code prefixLength} names.
   */
  static String consumerName(byte[] consumerKey, int prefixLength) {
    return new String(
        consumerKey, prefixLength, consumerKey.length - prefixLength, StandardCharsets.UTF_8);
  }

  private static byte[] prefix(byte family, String stream) {
    byte[] n = name(stream);
    return ByteBuffer.allocate(n.length + 2).put(family).put(n).put((byte) 0).array();
  }

  static byte[] streamKey(String stream) {
    byte[] n = name(stream);
    return ByteBuffer.allocate(n.length + 1).put(STREAM).put(n).array();
  }

  /** The stream a {@link #streamKey} names. */
  static String streamName(byte[] streamKey) {
    return new String(streamKey, 1, streamKey.length - 1, StandardCharsets.UTF_8);
  }

  /**
   * Where a listing of the streams named {@code prefix}... after {@code startAfter} (empty: from
   * the first) starts: the smallest key after {@code startAfter}'s, names holding no 0x00.
   */
  static byte[] streamsFrom(String prefix, String startAfter) {
    byte[] lower = streamKey(prefix);
    if (!startAfter.isEmpty()) {
      byte[] key = streamKey(startAfter);
      byte[] after = Arrays.copyOf(key, key.length + 1);
      if (Arrays.compareUnsigned(after, lower) > 0) {
        lower = after;
      }
    }
    return lower;
  }

  /** The first key after every stream key whose name starts with {@code prefix}. */
  static byte[] streamsUntil(String prefix) {
    return successor(streamKey(prefix));
  }

  static byte[] producerKey(long producerId) {
    return ByteBuffer.allocate(9).put(PRODUCER).putLong(producerId).array();
  }

  /** The producer a {@link #producerKey} names. */
  static long producerId(byte[] producerKey) {
    return ByteBuffer.wrap(producerKey, 1, 8).getLong();
  }

  static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  /** A value written by {@link #longBytes}; 0 for an absent one. */
  static long longOf(byte[] value) {
    return value == null ? 0 : ByteBuffer.wrap(value).getLong();
  }

  /** The smallest key greater than every key that starts with {@code prefix}. */
  static byte[] successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xff) {
        byte[] s = Arrays.copyOf(prefix, i + 1);
        s[i]++;
        return s;
      }
    }
    throw new IllegalArgumentException("no key follows an all-0xff prefix");
  }

  private static byte[] name(String stream) {
    return stream.getBytes(StandardCharsets.UTF_8);
  }
}
