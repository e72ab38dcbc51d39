package io.raftlog.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;

/**
 * The applied state of one shard replica, in one RocksDB ({@link RocksHandle}): the records of all
 * the shard's streams, each stream's metadata, the shard's idempotent-producer table and the last
 * applied Raft index, under the keys of {@link KeyLayout}. An idle stream costs its meta key and
 * nothing in memory: every lookup is a point get (in the memtable or the block cache when hot).
 *
 * <p>Records are stored in chunks ({@link ChunkCodec}): one value holds consecutive records of one
 * stream, keyed by the offset of its first record. A read then copies a few large values instead of
 * visiting one key per record, finds its records in them by their length prefixes alone, and
 * returns slices of them ({@link StoredRecords}). Values go to RocksDB blob files, so compaction
 * moves only the small keys, not the records again.
 *
 * <p>Owned by the shard's {@code ReplicatedLog}. Only its state machine writes, through a {@link
 * StoreBatch} on JRaft's apply thread; the service reads it as a {@link LogReader}, on any thread.
 * RocksDB runs without a WAL: the Raft log is already a durable log of the same changes, and
 * RocksDB without a WAL still recovers to a consistent earlier state (a prefix of the batches),
 * from which Raft replays the rest.
 */
public final class RocksLogStore implements LogReader, AutoCloseable {
  private final RocksHandle handle;
  private final StoreResources owned; // made by open(Path), closed with the store

  private RocksLogStore(RocksHandle handle, StoreResources owned) {
    this.handle = handle;
    this.owned = owned;
  }

  /** Opens (or creates) the store of one shard replica in {@code dir}, borrowing {@code shared}. */
  public static RocksLogStore open(Path dir, StoreResources shared) {
    return new RocksLogStore(new RocksHandle(dir, shared), null);
  }

  /** A store with resources of its own, closed with it: for tests and tools. */
  public static RocksLogStore open(Path dir) {
    StoreResources own = StoreResources.defaults();
    try {
      return new RocksLogStore(new RocksHandle(dir, own), own);
    } catch (RuntimeException e) {
      own.close();
      throw e;
    }
  }

  /** The Raft index of the last entry whose changes this store holds. */
  public long appliedIndex() {
    return handle.appliedIndex();
  }

  /** Streams this store holds, as committed: kept on create and delete, never a scan. */
  public long streamCount() {
    return handle.streams();
  }

  @Override
  public Optional<StreamMeta> stream(String name) {
    handle.readLock().lock();
    try {
      byte[] v = handle.db().get(KeyLayout.streamKey(name));
      return Optional.ofNullable(
          StreamMeta.ofStream(name, v == null ? null : StreamMeta.decode(v)));
    } catch (RocksDBException e) {
      throw new StoreException("cannot read stream '" + name + "'", e);
    } finally {
      handle.readLock().unlock();
    }
  }

  @Override
  public List<NamedStream> streams(String prefix, String startAfter, int limit) {
    List<NamedStream> out = new ArrayList<>();
    if (limit <= 0) {
      return out;
    }
    handle.readLock().lock();
    try (Slice upper = new Slice(KeyLayout.streamsUntil(prefix));
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = handle.db().newIterator(ro)) {
      for (it.seek(KeyLayout.streamsFrom(prefix, startAfter));
          it.isValid() && out.size() < limit;
          it.next()) {
        out.add(new NamedStream(KeyLayout.streamName(it.key()), StreamMeta.decode(it.value())));
      }
      it.status();
      return out;
    } catch (RocksDBException e) {
      throw new StoreException("cannot list streams from '" + prefix + "'", e);
    } finally {
      handle.readLock().unlock();
    }
  }

  @Override
  public Optional<StoredRecords> read(String stream, long offset, int maxRecords, int maxBytes) {
    handle.readLock().lock();
    RocksDB db = handle.db();
    Snapshot snapshot = db.getSnapshot();
    try (ReadOptions at = new ReadOptions().setSnapshot(snapshot)) {
      byte[] stored = db.get(at, KeyLayout.streamKey(stream));
      StreamMeta meta =
          StreamMeta.ofStream(stream, stored == null ? null : StreamMeta.decode(stored));
      if (meta == null) {
        return Optional.empty();
      }
      long end = meta.nextOffset();
      // Offsets are unsigned on the wire: 2^63 and above arrive negative, and are past the end.
      // Below the first offset the records are gone (a chunk straddling it may still hold some).
      if (maxRecords <= 0
          || Long.compareUnsigned(offset, end) >= 0
          || Long.compareUnsigned(offset, meta.firstOffset()) < 0) {
        return Optional.of(StoredRecords.none(meta.firstOffset(), end));
      }
      return Optional.of(readChunks(db, snapshot, stream, offset, meta, maxRecords, maxBytes));
    } catch (RocksDBException e) {
      throw new StoreException("cannot read stream '" + stream + "' at offset " + offset, e);
    } finally {
      db.releaseSnapshot(snapshot);
      handle.readLock().unlock();
    }
  }

  private static StoredRecords readChunks(
      RocksDB db,
      Snapshot snapshot,
      String stream,
      long offset,
      StreamMeta meta,
      int maxRecords,
      int maxBytes)
      throws RocksDBException {
    long end = meta.nextOffset();
    List<ByteString> parts = new ArrayList<>();
    int count = 0;
    // The bounds keep the iterator within this stream's keys.
    try (Slice lower = new Slice(KeyLayout.recordKey(stream, 0));
        Slice upper = new Slice(KeyLayout.recordKey(stream, end));
        ReadOptions ro =
            new ReadOptions()
                .setSnapshot(snapshot)
                .setIterateLowerBound(lower)
                .setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(ro)) {
      // The chunk that holds `offset` starts at or before it.
      it.seekForPrev(KeyLayout.recordKey(stream, offset));
      if (!it.isValid()) {
        it.seek(KeyLayout.recordKey(stream, offset));
      }
      long bytes = 0;
      boolean full = false;
      for (; it.isValid() && !full; it.next()) {
        long o = KeyLayout.chunkOffset(it.key());
        byte[] chunk = it.value();
        ChunkCodec.Span span =
            ChunkCodec.span(chunk, o, offset, count, bytes, maxRecords, maxBytes);
        count += span.count();
        bytes = span.bytes();
        full = span.full();
        if (span.from() >= 0) {
          // The array came fresh from RocksDB and nothing else holds it: share it, don't copy.
          parts.add(UnsafeByteOperations.unsafeWrap(chunk, span.from(), span.to() - span.from()));
        }
      }
      it.status();
      return new StoredRecords(parts, count, meta.firstOffset(), end);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Cost: a get of the stream's meta, one seek in its chunk index ({@link ChunkIndex}), one get
   * of the chunk found and a walk of its records' tags (up to 256 KiB, no copy): independent of the
   * stream's length.
   */
  @Override
  public OptionalLong offsetAtTime(String stream, long timestampMs) {
    handle.readLock().lock();
    RocksDB db = handle.db();
    Snapshot snapshot = db.getSnapshot();
    try (ReadOptions at = new ReadOptions().setSnapshot(snapshot)) {
      byte[] stored = db.get(at, KeyLayout.streamKey(stream));
      StreamMeta meta =
          StreamMeta.ofStream(stream, stored == null ? null : StreamMeta.decode(stored));
      if (meta == null) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(ChunkIndex.offsetAtTime(db, at, stream, meta, timestampMs));
    } catch (RocksDBException e) {
      throw new StoreException("cannot read stream '" + stream + "' by time", e);
    } finally {
      db.releaseSnapshot(snapshot);
      handle.readLock().unlock();
    }
  }

  @Override
  public Optional<ConsumerPosition> consumer(String stream, String consumer) {
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

  @Override
  public List<ConsumerPosition> consumers(String stream, String startAfter, int limit) {
    List<ConsumerPosition> out = new ArrayList<>();
    if (limit <= 0) {
      return out;
    }
    byte[] prefix = KeyLayout.consumerPrefix(stream);
    // The smallest key after startAfter's: names hold no 0x00.
    byte[] from =
        startAfter.isEmpty()
            ? prefix
            : Arrays.copyOf(
                KeyLayout.consumerKey(stream, startAfter),
                KeyLayout.consumerKey(stream, startAfter).length + 1);
    handle.readLock().lock();
    try (Slice upper = new Slice(KeyLayout.successor(prefix));
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = handle.db().newIterator(ro)) {
      for (it.seek(from); it.isValid() && out.size() < limit; it.next()) {
        String name = KeyLayout.consumerName(it.key(), prefix.length);
        out.add(ConsumerPosition.decode(name, it.value()));
      }
      it.status();
      return out;
    } catch (RocksDBException e) {
      throw new StoreException("cannot list the consumers of '" + stream + "'", e);
    } finally {
      handle.readLock().unlock();
    }
  }

  /**
   * Where a truncation of {@code stream} down to at most {@code maxBytes} stored bytes goes: the
   * first offset of the oldest stored chunk such that it and the chunks after it hold at most
   * {@code maxBytes}; the stream's first offset when it holds no more than that already (also when
   * the stream does not exist: 0). For the shard leader's retention check. Cost: a get of the meta,
   * then, only when the stream holds more, a walk of its chunk index from the oldest chunk (16-byte
   * keys, one per 256 KiB chunk) up to the cut.
   */
  public long offsetKeepingBytes(String stream, long maxBytes) {
    handle.readLock().lock();
    try {
      byte[] stored = handle.db().get(KeyLayout.streamKey(stream));
      if (stored == null) {
        return 0;
      }
      return ChunkIndex.offsetKeepingBytes(
          handle.db(), stream, StreamMeta.decode(stored), maxBytes);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the chunk index of '" + stream + "'", e);
    } finally {
      handle.readLock().unlock();
    }
  }

  /**
   * Gives back the disk space of what was truncated or deleted from {@code streams}: compacts their
   * dropped key ranges away in the background (RocksDB keeps a range delete's data until a
   * compaction passes over it). Returns at once; called after a store batch that truncated or
   * deleted streams was committed.
   */
  public void reclaim(Collection<String> streams) {
    handle.reclaimer().request(streams);
  }

  /**
   * Runs {@code task} on the node's reclaim thread once the compactions {@link #reclaim} asked for
   * so far are done (at once there if none is pending): e.g. a snapshot that should not hold what
   * they free. Returns at once.
   */
  public void afterReclaim(Runnable task) {
    handle.reclaimer().then(task);
  }

  /** Every stored idempotent-producer entry, by producer id, as {@link StoreBatch} wrote it. */
  public Map<Long, byte[]> producers() {
    Map<Long, byte[]> out = new HashMap<>();
    handle.readLock().lock();
    try (Slice upper = new Slice(KeyLayout.PRODUCERS_UNTIL);
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = handle.db().newIterator(ro)) {
      for (it.seek(KeyLayout.PRODUCERS_FROM); it.isValid(); it.next()) {
        out.put(KeyLayout.producerId(it.key()), it.value());
      }
      it.status();
      return out;
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the producer table", e);
    } finally {
      handle.readLock().unlock();
    }
  }

  /** Stages changes; only the shard's state machine writes, on its apply thread. */
  public StoreBatch newBatch() {
    return new StoreBatch(handle);
  }

  /** Writes a consistent copy of the store into {@code target} (which must not exist yet). */
  public void checkpoint(Path target) {
    handle.checkpoint(target);
  }

  /** The applied Raft index recorded in a checkpoint written by {@link #checkpoint}. */
  public static long appliedIndexOf(Path checkpoint) {
    return RocksHandle.appliedIndexOf(checkpoint);
  }

  /**
   * Closes and opens the store again: RocksDB stops taking writes after a background error (a flush
   * that met a full disk), and RocksJava cannot clear one. What was not flushed is dropped, as in a
   * crash: the store is back at an earlier consistent state with its applied index, and Raft
   * replays the rest. Called by the shard's state machine, with no apply running, before its Raft
   * member restarts.
   *
   * @throws StoreException if the store does not open (e.g. still no space)
   */
  public void reopen() {
    handle.reopen();
  }

  /**
   * Replaces this store's whole content with a checkpoint's (a snapshot installed from the leader).
   * Touches only this shard's directory.
   */
  public void restoreFrom(Path checkpoint) {
    handle.restoreFrom(checkpoint);
  }

  @Override
  public void close() {
    handle.close();
    if (owned != null) {
      owned.close();
    }
  }
}
