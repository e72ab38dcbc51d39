package io.raftlog.storage;

import io.raftlog.api.v1.Record;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The changes of one or more Raft entries to a shard store, made visible together by {@link
 * #commit}, as a single RocksDB write together with the Raft index they apply: replaying entries at
 * or below the store's applied index after a crash is therefore harmless. Its reads ({@link
 * #stream}, {@link #nextOffset}, {@link #exists}) see what it staged.
 *
 * <p>Records are gathered into chunks ({@link ChunkCodec.Writer}) keyed by the offset of their
 * first record ({@link KeyLayout}); each closed chunk also gets its {@link ChunkIndex} key. A
 * truncation or a delete is staged as range deletes; one that follows appends of the same batch
 * accounts for the chunks the batch staged (kept in memory, as RocksDB cannot read a write batch
 * back). Made by {@link RocksLogStore#newBatch} for the shard's state machine, used by its apply
 * thread only, then closed.
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
  private final Set<String> truncated = new LinkedHashSet<>();

  private static final class Staged {
    StreamMeta meta;
    final boolean existed; // in the store before this batch
    boolean changed;
    // The stream's stored keys of chunks and index below this offset were deleted by this batch;
    // Long.MAX_VALUE: all of its stored keys were (the stream was deleted).
    long storedFrom;
    // Consumer positions this batch wrote (null: deleted), by consumer.
    Map<String, ConsumerPosition> consumers;
    // The chunks this batch closed, in order: a later truncation in the batch must count them, and
    // cannot read them back from the write batch.
    List<ChunkIndex.Entry> closed;

    Staged(StreamMeta meta) {
      this.meta = meta;
      this.existed = meta != null;
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

  /** The stream's meta with this batch's changes, {@code default} included; empty if none. */
  public Optional<StreamMeta> existing(String name) {
    return Optional.ofNullable(StreamMeta.ofStream(name, staged(name).meta));
  }

  /**
   * Creates a stream that keeps every record; see {@link #create(String, long, RetentionPolicy)}.
   */
  public void create(String name, long createdMs) {
    create(name, createdMs, RetentionPolicy.KEEP_ALL);
  }

  /** Creates a stream that has no meta (a new one, or {@code default} before its first write). */
  public void create(String name, long createdMs, RetentionPolicy retention) {
    Staged s = staged(name);
    if (s.meta != null) {
      throw new IllegalStateException("stream '" + name + "' exists already");
    }
    s.meta = new StreamMeta(createdMs, 0, 0, 0, 0, retention);
    s.changed = true;
  }

  /** Replaces an existing stream's retention. */
  public void setRetention(String name, RetentionPolicy retention) {
    Staged s = existingStaged(name);
    s.meta = s.meta.withRetention(retention);
    s.changed = true;
  }

  /**
   * The timestamp for a record of {@code name} that has none, appended by an entry stamped {@code
   * appendTimeMs}: see {@link StreamMeta#leaderTimestamp}; the stream then remembers it as the last
   * time the leader assigned.
   */
  public long assignTimestamp(String name, long appendTimeMs) {
    Staged s = existingStaged(name);
    long ts = s.meta.leaderTimestamp(appendTimeMs);
    if (ts != s.meta.lastAppendMs()) {
      s.meta = s.meta.assigned(ts);
      s.changed = true;
    }
    return ts;
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
    s.meta = s.meta.plusRecord(record.getTimestampMs());
    s.changed = true;
    if (chunk.isFull()) {
      closeChunk();
    }
  }

  /**
   * Deletes the stream's records, index, named consumers and meta; the name is then free, and a
   * stream created under it starts at offset 0. Harmless for a stream without meta.
   */
  public void delete(String name) {
    Staged s = staged(name);
    if (name.equals(chunkStream)) {
      chunk.clear(); // never staged: nothing to delete
      chunkStream = null;
    }
    // One range tombstone per key family, however many chunks and consumers the stream has; keys
    // the batch staged before are covered too, and those it stages after are not.
    for (byte[] prefix :
        new byte[][] {
          KeyLayout.recordPrefix(name), KeyLayout.indexPrefix(name), KeyLayout.consumerPrefix(name)
        }) {
      deleteRange(prefix, KeyLayout.successor(prefix));
    }
    s.closed = null;
    s.meta = null;
    s.changed = true;
    s.storedFrom = Long.MAX_VALUE;
    s.consumers = null;
    truncated.add(name);
  }

  /**
   * Drops the records of an existing stream below {@code before} (at most its next offset): its
   * first offset becomes {@code before}, and every chunk wholly below it goes, with its index key
   * and its bytes (a chunk that straddles it stays; its lower records are not served). Nothing
   * changes if {@code before} is at or below the first offset.
   */
  public void truncate(String name, long before) {
    Staged s = existingStaged(name);
    if (Long.compareUnsigned(before, s.meta.nextOffset()) > 0) {
      throw new IllegalArgumentException(
          "cannot truncate stream '" + name + "' past its next offset " + s.meta.nextOffset());
    }
    if (Long.compareUnsigned(before, s.meta.firstOffset()) <= 0) {
      return;
    }
    if (name.equals(chunkStream)) {
      closeChunk(); // so that the open chunk is counted with the others staged
    }
    List<ChunkIndex.Entry> mine = s.closed == null ? List.of() : s.closed;
    ChunkIndex.Cut cut;
    handle.readLock().lock();
    try {
      cut = ChunkIndex.plan(handle.db(), name, s.storedFrom, mine, before);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the chunk index of stream '" + name + "'", e);
    } finally {
      handle.readLock().unlock();
    }
    if (cut.recordsUntil() > 0) {
      deleteRange(KeyLayout.recordKey(name, 0), KeyLayout.recordKey(name, cut.recordsUntil()));
    }
    if (cut.indexUntil() != null) {
      deleteRange(KeyLayout.indexPrefix(name), cut.indexUntil());
      if (s.storedFrom != Long.MAX_VALUE) {
        s.storedFrom = Math.max(s.storedFrom, cut.recordsUntil());
      }
      if (cut.droppedStaged() > 0) {
        mine.subList(0, cut.droppedStaged()).clear();
      }
    }
    s.meta = s.meta.from(before).plusBytes(-cut.droppedBytes());
    s.changed = true;
    truncated.add(name);
  }

  /**
   * The streams this batch truncated or deleted, first touched first: their space can be reclaimed
   * once it is committed ({@link RocksLogStore#reclaim}).
   */
  public Set<String> truncated() {
    return Collections.unmodifiableSet(truncated);
  }

  /** A named consumer's position with this batch's changes; empty if it has none. */
  public Optional<ConsumerPosition> consumer(String stream, String consumer) {
    Staged s = staged(stream);
    if (s.consumers != null && s.consumers.containsKey(consumer)) {
      return Optional.ofNullable(s.consumers.get(consumer));
    }
    if (s.storedFrom == Long.MAX_VALUE) {
      return Optional.empty(); // deleted with its stream in this batch
    }
    handle.readLock().lock();
    try {
      byte[] v = handle.db().get(KeyLayout.consumerKey(stream, consumer));
      return Optional.ofNullable(v == null ? null : ConsumerPosition.decode(consumer, v));
    } catch (RocksDBException e) {
      throw new StoreException("cannot read consumer '" + consumer + "' of '" + stream + "'", e);
    } finally {
      handle.readLock().unlock();
    }
  }

  /** Stores a named consumer's position in {@code stream}. */
  public void putConsumer(String stream, ConsumerPosition position) {
    stagedConsumers(stream).put(position.consumer(), position);
    put(KeyLayout.consumerKey(stream, position.consumer()), position.encode());
  }

  /** Forgets a named consumer of {@code stream}. */
  public void deleteConsumer(String stream, String consumer) {
    stagedConsumers(stream).put(consumer, null);
    try {
      wb.delete(KeyLayout.consumerKey(stream, consumer));
    } catch (RocksDBException e) {
      throw new StoreException("cannot stage a consumer delete", e);
    }
  }

  private Map<String, ConsumerPosition> stagedConsumers(String stream) {
    Staged s = staged(stream);
    if (s.consumers == null) {
      s.consumers = new HashMap<>();
    }
    return s.consumers;
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
   * The streams whose meta this batch changed (created, appended to, truncated, updated or
   * deleted), first touched first, with their next offset after it (0 for one deleted and not
   * created again).
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
    long streamsAdded = 0;
    try {
      for (Map.Entry<String, Staged> e : streams.entrySet()) {
        Staged s = e.getValue();
        if (!s.changed) {
          continue;
        }
        streamsAdded += (s.meta != null ? 1 : 0) - (s.existed ? 1 : 0);
        if (s.meta == null) {
          wb.delete(KeyLayout.streamKey(e.getKey()));
        } else {
          wb.put(KeyLayout.streamKey(e.getKey()), s.meta.encode());
        }
      }
    } catch (RocksDBException e) {
      throw new StoreException("cannot stage stream metadata", e);
    }
    if (streamsAdded != 0 || !handle.streamsStored()) {
      put(KeyLayout.STREAM_COUNT, KeyLayout.longBytes(handle.streams() + streamsAdded));
    }
    put(KeyLayout.APPLIED_INDEX, KeyLayout.longBytes(index));
    handle.write(wb, index, streamsAdded);
  }

  private Staged existingStaged(String name) {
    Staged s = staged(name);
    if (s.meta == null) {
      throw new IllegalStateException("stream '" + name + "' does not exist");
    }
    return s;
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
      Staged s = streams.get(chunkStream);
      byte[] bytes = chunk.take();
      put(KeyLayout.recordKey(chunkStream, chunkOffset), bytes);
      // The stream's running maximum now covers every record of this chunk.
      ChunkIndex.Entry e =
          new ChunkIndex.Entry(
              s.meta.maxTimestampMs(),
              chunkOffset,
              (int) (s.meta.nextOffset() - chunkOffset),
              bytes.length);
      put(e.key(chunkStream), e.value());
      if (s.closed == null) {
        s.closed = new ArrayList<>(1);
      }
      s.closed.add(e);
      s.meta = s.meta.plusBytes(bytes.length);
      chunkOffset = s.meta.nextOffset();
    }
    chunk.clear();
  }

  private void deleteRange(byte[] from, byte[] until) {
    try {
      wb.deleteRange(from, until);
    } catch (RocksDBException e) {
      throw new StoreException("cannot stage a range delete", e);
    }
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
