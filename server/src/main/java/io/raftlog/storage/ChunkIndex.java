package io.raftlog.storage;

import java.nio.ByteBuffer;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * A stream's chunk index ({@link KeyLayout#indexKey}): one key per stored chunk, in chunk order,
 * keyed by the stream's running maximum timestamp up to that chunk and the chunk's first offset,
 * holding the chunk's record count and encoded bytes. {@link StoreBatch} writes a key when it
 * closes a chunk and deletes keys with the chunks a truncation drops; reads by time, the retention
 * check's byte walk and the truncation's plan read it here.
 *
 * <p>Pure functions over a RocksDB the caller holds open (under {@link RocksHandle#readLock}); any
 * thread.
 */
final class ChunkIndex {
  private ChunkIndex() {}

  /** One indexed chunk: offsets {@code offset .. offset + count - 1}, {@code bytes} stored. */
  record Entry(long maxTimestampMs, long offset, int count, int bytes) {
    long end() {
      return offset + count;
    }

    byte[] key(String stream) {
      return KeyLayout.indexKey(stream, maxTimestampMs, offset);
    }

    byte[] value() {
      return ByteBuffer.allocate(8).putInt(count).putInt(bytes).array();
    }

    static Entry of(byte[] key, byte[] value) {
      ByteBuffer v = ByteBuffer.wrap(value);
      return new Entry(
          KeyLayout.indexedMaxTimestamp(key), KeyLayout.indexedChunk(key), v.getInt(), v.getInt());
    }
  }

  /**
   * See {@link LogReader#offsetAtTime}: one seek in the index to the first chunk whose running
   * maximum reaches {@code timestampMs}, one get of that chunk and a walk of its records' tags (at
   * most a chunk, 256 KiB); never below {@code meta}'s first offset.
   */
  static long offsetAtTime(RocksDB db, ReadOptions at, String stream, StreamMeta meta, long ts)
      throws RocksDBException {
    byte[] prefix = KeyLayout.indexPrefix(stream);
    long found = meta.nextOffset();
    try (Slice upper = new Slice(KeyLayout.successor(prefix));
        ReadOptions ro = new ReadOptions().setSnapshot(at.snapshot()).setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(ro)) {
      // Timestamps are positive: a time at or below 0 is reached by the first chunk.
      it.seek(KeyLayout.indexKey(stream, Math.max(0, ts), 0));
      if (it.isValid()) {
        Entry e = Entry.of(it.key(), it.value());
        byte[] chunk = db.get(at, KeyLayout.recordKey(stream, e.offset()));
        // Before this chunk the running maximum was below ts: its first record at or after ts is
        // where the maximum reaches it. Unless the chunk has none: then a truncated chunk before it
        // reached ts (the seek found the first chunk left), and the maximum reaches ts from the
        // start on.
        long hit = chunk == null ? e.end() : ChunkCodec.firstAtOrAfter(chunk, e.offset(), ts);
        found = hit < e.end() ? hit : e.offset();
      }
      it.status();
    }
    return Math.max(found, meta.firstOffset());
  }

  /** See {@link RocksLogStore#offsetKeepingBytes}: walks the index from the oldest chunk. */
  static long offsetKeepingBytes(RocksDB db, String stream, StreamMeta meta, long maxBytes)
      throws RocksDBException {
    long left = meta.storedBytes();
    if (left <= maxBytes) {
      return meta.firstOffset();
    }
    byte[] prefix = KeyLayout.indexPrefix(stream);
    try (Slice upper = new Slice(KeyLayout.successor(prefix));
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(ro)) {
      for (it.seek(prefix); it.isValid(); it.next()) {
        Entry e = Entry.of(it.key(), it.value());
        if (left <= maxBytes) {
          return Math.max(e.offset(), meta.firstOffset());
        }
        left -= e.bytes();
      }
      it.status();
    }
    return meta.nextOffset();
  }

  /**
   * What truncating a stream below {@code before} drops: the chunks that lie wholly below it, of
   * those stored ({@code db}'s index keys at {@code storedFrom} or past: a batch's earlier
   * truncation dropped those below) and then of those {@code staged} by the batch (newer, in
   * order).
   *
   * @param recordsUntil record keys of the stream below this chunk offset go (0: none)
   * @param indexUntil index keys of the stream below this key go (null: none; the prefix's
   *     successor when every indexed chunk goes)
   * @param droppedBytes the stored bytes of the indexed chunks that go
   * @param droppedStaged how many of the staged chunks go (the first ones)
   */
  record Cut(long recordsUntil, byte[] indexUntil, long droppedBytes, int droppedStaged) {}

  static Cut plan(RocksDB db, String stream, long storedFrom, List<Entry> staged, long before)
      throws RocksDBException {
    byte[] prefix = KeyLayout.indexPrefix(stream);
    long bytes = 0;
    int dropped = 0;
    Entry kept = null;
    if (storedFrom != Long.MAX_VALUE) {
      try (Slice upper = new Slice(KeyLayout.successor(prefix));
          ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
          RocksIterator it = db.newIterator(ro)) {
        for (it.seek(prefix); it.isValid() && kept == null; it.next()) {
          Entry e = Entry.of(it.key(), it.value());
          if (e.offset() < storedFrom) {
            continue;
          }
          if (e.end() <= before) {
            bytes += e.bytes();
            dropped++;
          } else {
            kept = e;
          }
        }
        it.status();
      }
    }
    int droppedStaged = 0;
    for (Entry e : staged) {
      if (kept != null) {
        break;
      }
      if (e.end() <= before) {
        bytes += e.bytes();
        droppedStaged++;
      } else {
        kept = e;
      }
    }
    if (dropped + droppedStaged == 0) {
      // Nothing indexed goes; chunks stored before the index existed may, up to the one that
      // holds `before`.
      long until = storedFrom == Long.MAX_VALUE ? 0 : chunkHolding(db, stream, before);
      return new Cut(until, null, 0, 0);
    }
    if (kept == null) {
      return new Cut(before, KeyLayout.successor(prefix), bytes, droppedStaged);
    }
    return new Cut(kept.offset(), kept.key(stream), bytes, droppedStaged);
  }

  /** The offset of the stored chunk that holds {@code offset} (the last from at or before it). */
  private static long chunkHolding(RocksDB db, String stream, long offset) throws RocksDBException {
    try (Slice lower = new Slice(KeyLayout.recordKey(stream, 0));
        ReadOptions ro = new ReadOptions().setIterateLowerBound(lower);
        RocksIterator it = db.newIterator(ro)) {
      it.seekForPrev(KeyLayout.recordKey(stream, offset));
      long at = it.isValid() ? KeyLayout.chunkOffset(it.key()) : 0;
      it.status();
      return at;
    }
  }
}
