package io.raftlog.storage;

import io.raftlog.api.v1.Record;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The changes of one or more Raft entries to a shard store, made visible together by {@link
 * #commit}, as a single RocksDB write together with the Raft index they apply: replaying entries at
 * or below the store's applied index after a crash is therefore harmless. Its reads ({@link
 * #stream}, {@link #nextOffset}, {@link #exists}) see what it staged.
 *
 * <p>Records are gathered into chunks ({@link ChunkCodec.Writer}) keyed by the offset of their
 * first record ({@link KeyLayout}). Made by {@link RocksLogStore#newBatch} for the shard's state
 * machine, used by its apply thread only, then closed.
 */
public final class StoreBatch implements AutoCloseable {
  private final RocksHandle handle;
  private final WriteBatch wb = new WriteBatch();
  // Every stream the batch looked at, with its meta as staged (null: absent), first touch first.
  private final LinkedHashMap<String, Staged> streams = new LinkedHashMap<>();
  // Records are gathered into one open chunk, of the stream appended to last; appending to
  // another stream closes it (any cut into chunks reads back the same).
  private final ChunkCodec.Writer chunk = new ChunkCodec.Writer();
  private String chunkStream;
  private long chunkOffset;

  private static final class Staged {
    StreamMeta meta;
    boolean changed;

    Staged(StreamMeta meta) {
      this.meta = meta;
    }
  }

  StoreBatch(RocksHandle handle) {
    this.handle = handle;
  }

  /** The stream's stored meta, with this batch's changes; empty if it has none. */
  public Optional<StreamMeta> stream(String name) {
    return Optional.ofNullable(staged(name).meta);
  }

  /** Whether the stream exists, with this batch's changes (see {@link LogReader}). */
  public boolean exists(String name) {
    return StreamMeta.ofStream(name, staged(name).meta) != null;
  }

  /** The offset the stream's next record gets; 0 for a stream without meta. */
  public long nextOffset(String name) {
    StreamMeta m = staged(name).meta;
    return m == null ? 0 : m.nextOffset();
  }

  /** Creates a stream that has no meta (a new one, or {@code default} before its first write). */
  public void create(String name, long createdMs) {
    Staged s = staged(name);
    if (s.meta != null) {
      throw new IllegalStateException("stream '" + name + "' exists already");
    }
    s.meta = new StreamMeta(createdMs, 0, 0);
    s.changed = true;
  }

  /**
   * Appends a record that already carries the stream's {@link #nextOffset}; the stream must have a
   * meta (see {@link #create}).
   */
  public void append(String name, Record record) {
    Staged s = staged(name);
    if (s.meta == null) {
      throw new IllegalStateException("stream '" + name + "' does not exist");
    }
    if (record.getOffset() != s.meta.nextOffset()) {
      throw new IllegalArgumentException(
          "record for stream '"
              + name
              + "' has offset "
              + record.getOffset()
              + ", expected "
              + s.meta.nextOffset());
    }
    if (!name.equals(chunkStream)) {
      closeChunk();
      chunkStream = name;
      chunkOffset = s.meta.nextOffset();
    }
    chunk.add(record);
    s.meta = s.meta.plus(1);
    s.changed = true;
    if (chunk.isFull()) {
      closeChunk();
    }
  }

  /**
   * Deletes the stream's records and meta; the name is then free, and a stream created under it
   * starts at offset 0. Harmless for a stream without meta.
   */
  public void delete(String name) {
    Staged s = staged(name);
    if (name.equals(chunkStream)) {
      chunk.clear(); // never staged: nothing to delete
      chunkStream = null;
    }
    try {
      // One range tombstone, however many chunks the stream has.
      byte[] prefix = KeyLayout.recordPrefix(name);
      wb.deleteRange(prefix, KeyLayout.successor(prefix));
    } catch (RocksDBException e) {
      throw new StoreException("cannot stage the delete of stream '" + name + "'", e);
    }
    s.meta = null;
    s.changed = true;
  }

  /** Stores a producer's entry, read back by {@link RocksLogStore#producers}. */
  public void putProducer(long producerId, byte[] entry) {
    put(KeyLayout.producerKey(producerId), entry);
  }

  public void deleteProducer(long producerId) {
    try {
      wb.delete(KeyLayout.producerKey(producerId));
    } catch (RocksDBException e) {
      throw new StoreException("cannot stage a producer delete", e);
    }
  }

  /**
   * The streams this batch created, appended to or deleted, first touched first, with their next
   * offset after it (0 for one deleted and not created again).
   */
  public Map<String, Long> changed() {
    Map<String, Long> out = new LinkedHashMap<>();
    streams.forEach(
        (name, s) -> {
          if (s.changed) {
            out.put(name, s.meta == null ? 0 : s.meta.nextOffset());
          }
        });
    return out;
  }

  /** Writes everything staged, as of Raft index {@code index}, atomically. */
  public void commit(long index) {
    closeChunk();
    try {
      for (Map.Entry<String, Staged> e : streams.entrySet()) {
        Staged s = e.getValue();
        if (!s.changed) {
          continue;
        }
        if (s.meta == null) {
          wb.delete(KeyLayout.streamKey(e.getKey()));
        } else {
          wb.put(KeyLayout.streamKey(e.getKey()), s.meta.encode());
        }
      }
    } catch (RocksDBException e) {
      throw new StoreException("cannot stage stream metadata", e);
    }
    put(KeyLayout.APPLIED_INDEX, KeyLayout.longBytes(index));
    handle.write(wb, index);
  }

  private Staged staged(String name) {
    Staged s = streams.get(name);
    if (s == null) {
      handle.readLock().lock();
      try {
        byte[] v = handle.db().get(KeyLayout.streamKey(name));
        s = new Staged(v == null ? null : StreamMeta.decode(v));
      } catch (RocksDBException e) {
        throw new StoreException("cannot read stream '" + name + "'", e);
      } finally {
        handle.readLock().unlock();
      }
      streams.put(name, s);
    }
    return s;
  }

  private void closeChunk() {
    if (chunkStream != null && !chunk.isEmpty()) {
      put(KeyLayout.recordKey(chunkStream, chunkOffset), chunk.take());
      chunkOffset = streams.get(chunkStream).meta.nextOffset();
    }
    chunk.clear();
  }

  private void put(byte[] key, byte[] value) {
    try {
      wb.put(key, value);
    } catch (RocksDBException e) {
      throw new StoreException("cannot stage a write", e);
    }
  }

  @Override
  public void close() {
    wb.close();
  }
}
