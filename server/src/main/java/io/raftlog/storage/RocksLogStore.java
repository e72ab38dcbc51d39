package io.raftlog.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.wire.StreamNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The applied state of one shard replica, in one RocksDB: the records of all the shard's streams,
 * each stream's metadata, the shard's idempotent-producer table and the last applied Raft index.
 * The shard's state machine writes it (through {@link Batch}, on JRaft's apply thread); readers on
 * any thread read it.
 *
 * <p>Keys (docs/design/streams.md): {@code r}+name+{@code 0x00}+offset (8 bytes, big-endian) holds
 * a chunk of records; {@code s}+name the stream's {@link StreamMeta}; {@code p}+producer id the
 * producer's entry; {@code g/applied_index} the Raft index. Names never contain {@code 0x00}, so a
 * stream's records sort together and before those of any name it is a prefix of. An idle stream
 * costs its meta key and nothing in memory: every lookup is a point get (in the memtable or the
 * block cache when hot).
 *
 * <p>Records are stored in chunks: one value holds consecutive records of one stream (up to {@link
 * #CHUNK_BYTES}), keyed by the offset of its first record, each record encoded as field 1 of a
 * {@code ConsumeResponse}. A read then copies a few large values instead of visiting one key per
 * record, and hands them to gRPC without decoding them. Values go to RocksDB blob files, so
 * compaction moves only the small keys, not the records again.
 *
 * <p>Every change goes through one {@link Batch}, written as a single {@link WriteBatch} together
 * with the Raft index it applies; replaying entries at or below {@link #appliedIndex()} after a
 * crash is therefore harmless. Writes skip RocksDB's WAL: the Raft log is already a durable log of
 * the same changes, and RocksDB without a WAL still recovers to a consistent earlier state (a
 * prefix of the batches), from which Raft replays the rest.
 */
public final class RocksLogStore implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  /** A chunk is closed once it holds this many bytes; one record alone may exceed it. */
  static final int CHUNK_BYTES = 256 << 10;

  private static final byte RECORD = 'r';
  private static final byte STREAM = 's';
  private static final byte PRODUCER = 'p';
  private static final byte[] APPLIED_INDEX_KEY =
      "g/applied_index".getBytes(StandardCharsets.UTF_8);
  // A record in a chunk is encoded as the records field of a ConsumeResponse: tag, length, bytes.
  private static final int RECORDS_FIELD = ConsumeResponse.RECORDS_FIELD_NUMBER;

  private final Path dir;
  private final StoreResources shared;
  private final StoreResources owned; // made by open(Path), closed with the store
  // Readers share the handle; restoring a snapshot swaps it under the write lock.
  private final ReadWriteLock handleLock = new ReentrantReadWriteLock();
  private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
  private Options options;
  private BloomFilter bloom;
  private RocksDB db;
  private volatile long appliedIndex;

  private RocksLogStore(Path dir, StoreResources shared, StoreResources owned) {
    this.dir = dir;
    this.shared = shared;
    this.owned = owned;
  }

  /** Opens (or creates) the store of one shard replica in {@code dir}, borrowing {@code shared}. */
  public static RocksLogStore open(Path dir, StoreResources shared) {
    RocksLogStore store = new RocksLogStore(dir, shared, null);
    store.openHandle();
    return store;
  }

  /** A store with resources of its own, closed with it: for tests and tools. */
  public static RocksLogStore open(Path dir) {
    StoreResources own = StoreResources.defaults();
    RocksLogStore store = new RocksLogStore(dir, own, own);
    try {
      store.openHandle();
    } catch (RuntimeException e) {
      own.close();
      throw e;
    }
    return store;
  }

  private void openHandle() {
    try {
      Files.createDirectories(dir);
      bloom = new BloomFilter(10);
      options =
          new Options()
              .setCreateIfMissing(true)
              .setWriteBufferSize(16L << 20)
              .setMaxWriteBufferNumber(3)
              // Bounds the memtables of all the node's shard stores together.
              .setWriteBufferManager(shared.writeBuffers())
              .setKeepLogFileNum(5)
              .setEnableBlobFiles(true)
              .setMinBlobSize(4096)
              .setBlobFileSize(256L << 20)
              // Not written past the page cache (as the Raft log is): consumers read these files
              // back, and a direct-I/O flush made every read of them go to the disk.
              .setTableFormatConfig(
                  new BlockBasedTableConfig()
                      .setBlockCache(shared.blockCache())
                      // Index and filter blocks live in the shared cache, so a shard's memory
                      // stays bounded however many stream keys its files hold.
                      .setCacheIndexAndFilterBlocks(true)
                      .setPinL0FilterAndIndexBlocksInCache(true)
                      // Every append part and every read looks its stream's meta key up; most
                      // files do not hold it.
                      .setFilterPolicy(bloom));
      db = RocksDB.open(options, dir.toString());
      appliedIndex = readLong(db, APPLIED_INDEX_KEY);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RocksDBException e) {
      throw new StoreException("cannot open the log store in " + dir, e);
    }
  }

  /** The Raft index of the last entry whose changes this store holds. */
  public long appliedIndex() {
    return appliedIndex;
  }

  /**
   * The stream's metadata; empty if it does not exist. The stream {@code default} always exists:
   * before its first write it is {@link StreamMeta#NEVER_WRITTEN}.
   */
  public Optional<StreamMeta> stream(String name) {
    handleLock.readLock().lock();
    try {
      byte[] v = db.get(streamKey(name));
      if (v == null) {
        return StreamNames.DEFAULT.equals(name)
            ? Optional.of(StreamMeta.NEVER_WRITTEN)
            : Optional.empty();
      }
      return Optional.of(StreamMeta.decode(v));
    } catch (RocksDBException e) {
      throw new StoreException("cannot read stream '" + name + "'", e);
    } finally {
      handleLock.readLock().unlock();
    }
  }

  /** One past the offset of the stream's last record; 0 if it does not exist. */
  public long nextOffset(String stream) {
    return stream(stream).map(StreamMeta::nextOffset).orElse(0L);
  }

  /**
   * Streams whose name starts with {@code prefix} and sorts after {@code startAfter} (empty: from
   * the first), in name order, at most {@code limit}. Only streams with a stored meta key: {@code
   * default} appears once it was written to.
   */
  public List<NamedStream> streams(String prefix, String startAfter, int limit) {
    byte[] lower = streamKey(prefix);
    if (!startAfter.isEmpty()) {
      // The smallest key after startAfter's: names hold no 0x00.
      byte[] key = streamKey(startAfter);
      byte[] after = Arrays.copyOf(key, key.length + 1);
      if (Arrays.compareUnsigned(after, lower) > 0) {
        lower = after;
      }
    }
    List<NamedStream> out = new ArrayList<>();
    if (limit <= 0) {
      return out;
    }
    handleLock.readLock().lock();
    try (Slice upper = new Slice(successor(streamKey(prefix)));
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(ro)) {
      for (it.seek(lower); it.isValid() && out.size() < limit; it.next()) {
        byte[] key = it.key();
        String name = new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
        out.add(new NamedStream(name, StreamMeta.decode(it.value())));
      }
      it.status();
      return out;
    } catch (RocksDBException e) {
      throw new StoreException("cannot list streams from '" + prefix + "'", e);
    } finally {
      handleLock.readLock().unlock();
    }
  }

  /** The names of {@link #streams}. */
  public List<String> streamNames(String prefix, String startAfter, int limit) {
    return streams(prefix, startAfter, limit).stream().map(NamedStream::name).toList();
  }

  /** Stages changes; only the shard's state machine writes, on its apply thread. */
  public Batch newBatch() {
    return new Batch();
  }

  /**
   * Records of {@code stream} from {@code offset} on: at most {@code maxRecords}, and no more than
   * {@code maxBytes} of encoded records unless the first record alone is larger. Sees one
   * consistent state of the stream, even while it is being deleted and created again.
   */
  public StoredRecords read(String stream, long offset, int maxRecords, int maxBytes) {
    if (maxRecords <= 0) {
      return StoredRecords.EMPTY;
    }
    handleLock.readLock().lock();
    Snapshot snapshot = db.getSnapshot();
    try (ReadOptions at = new ReadOptions().setSnapshot(snapshot)) {
      byte[] meta = db.get(at, streamKey(stream));
      long end = meta == null ? 0 : StreamMeta.decode(meta).nextOffset();
      if (offset >= end) {
        return StoredRecords.EMPTY;
      }
      return readChunks(snapshot, stream, offset, end, maxRecords, maxBytes);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read stream '" + stream + "' at offset " + offset, e);
    } finally {
      db.releaseSnapshot(snapshot);
      handleLock.readLock().unlock();
    }
  }

  private StoredRecords readChunks(
      Snapshot snapshot, String stream, long offset, long end, int maxRecords, int maxBytes)
      throws RocksDBException {
    List<ByteString> parts = new ArrayList<>();
    int count = 0;
    // The bounds keep the iterator within this stream's keys.
    try (Slice lower = new Slice(recordKey(stream, 0));
        Slice upper = new Slice(recordKey(stream, end));
        ReadOptions ro =
            new ReadOptions()
                .setSnapshot(snapshot)
                .setIterateLowerBound(lower)
                .setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(ro)) {
      // The chunk that holds `offset` starts at or before it.
      it.seekForPrev(recordKey(stream, offset));
      if (!it.isValid()) {
        it.seek(recordKey(stream, offset));
      }
      long bytes = 0;
      boolean full = false;
      for (; it.isValid() && !full; it.next()) {
        byte[] key = it.key();
        long o = ByteBuffer.wrap(key, key.length - 8, 8).getLong();
        byte[] chunk = it.value();
        ChunkCodec.Span span =
            ChunkCodec.span(chunk, o, offset, count, bytes, maxRecords, maxBytes);
        count += span.count();
        bytes = span.bytes();
        full = span.full();
        int from = span.from();
        int pos = span.to();
        if (from >= 0) {
          // The array came fresh from RocksDB and nothing else holds it: share it, don't copy.
          parts.add(UnsafeByteOperations.unsafeWrap(chunk, from, pos - from));
        }
      }
      it.status();
      return new StoredRecords(parts, count);
    }
  }

  /**
   * Every stored idempotent-producer entry, by producer id, as {@link Batch#putProducer} wrote it.
   */
  public Map<Long, byte[]> producers() {
    Map<Long, byte[]> out = new HashMap<>();
    handleLock.readLock().lock();
    try (Slice upper = new Slice(new byte[] {PRODUCER + 1});
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(ro)) {
      for (it.seek(new byte[] {PRODUCER}); it.isValid(); it.next()) {
        out.put(ByteBuffer.wrap(it.key(), 1, 8).getLong(), it.value());
      }
      it.status();
      return out;
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the producer table", e);
    } finally {
      handleLock.readLock().unlock();
    }
  }

  /** Writes a consistent copy of the store into {@code target} (which must not exist yet). */
  public void checkpoint(Path target) {
    handleLock.readLock().lock();
    try (Checkpoint cp = Checkpoint.create(db)) {
      // Flushes the memtable first, so the checkpoint holds everything applied so far.
      cp.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new StoreException("cannot write a checkpoint to " + target, e);
    } finally {
      handleLock.readLock().unlock();
    }
  }

  /** The applied Raft index recorded in a checkpoint written by {@link #checkpoint}. */
  public static long appliedIndexOf(Path checkpoint) {
    try (Options o = new Options();
        RocksDB ro = RocksDB.openReadOnly(o, checkpoint.toString())) {
      return readLong(ro, APPLIED_INDEX_KEY);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the checkpoint in " + checkpoint, e);
    }
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
    handleLock.writeLock().lock();
    try {
      closeHandle();
      openHandle();
    } finally {
      handleLock.writeLock().unlock();
    }
  }

  /**
   * Replaces this store's whole content with a checkpoint's (a snapshot installed from the leader).
   * Touches only this shard's directory.
   */
  public void restoreFrom(Path checkpoint) {
    handleLock.writeLock().lock();
    try {
      closeHandle();
      deleteTree(dir);
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(checkpoint)) {
        for (Path f : files.toList()) {
          Path to = dir.resolve(f.getFileName());
          // SST files never change once written, so they can be shared; the rest is copied.
          if (f.getFileName().toString().endsWith(".sst")) {
            Files.createLink(to, f);
          } else {
            Files.copy(f, to);
          }
        }
      }
      openHandle();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore the log store from " + checkpoint, e);
    } finally {
      handleLock.writeLock().unlock();
    }
  }

  @Override
  public void close() {
    handleLock.writeLock().lock();
    try {
      closeHandle();
      writeOptions.close();
      if (owned != null) {
        owned.close();
      }
    } finally {
      handleLock.writeLock().unlock();
    }
  }

  private void closeHandle() {
    if (db != null) {
      db.close();
      options.close();
      bloom.close();
      db = null;
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static long readLong(RocksDB db, byte[] key) throws RocksDBException {
    byte[] v = db.get(key);
    return v == null ? 0 : ByteBuffer.wrap(v).getLong();
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  private static byte[] name(String stream) {
    return stream.getBytes(StandardCharsets.UTF_8);
  }

  // Big-endian offsets sort in offset order under RocksDB's bytewise comparator.
  private static byte[] recordKey(String stream, long offset) {
    byte[] prefix = recordPrefix(stream);
    return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(offset).array();
  }

  private static byte[] recordPrefix(String stream) {
    byte[] n = name(stream);
    return ByteBuffer.allocate(n.length + 2).put(RECORD).put(n).put((byte) 0).array();
  }

  private static byte[] streamKey(String stream) {
    byte[] n = name(stream);
    return ByteBuffer.allocate(n.length + 1).put(STREAM).put(n).array();
  }

  private static byte[] producerKey(long producerId) {
    return ByteBuffer.allocate(9).put(PRODUCER).putLong(producerId).array();
  }

  /** The smallest key greater than every key that starts with {@code prefix}. */
  private static byte[] successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xff) {
        byte[] s = Arrays.copyOf(prefix, i + 1);
        s[i]++;
        return s;
      }
    }
    throw new IllegalArgumentException("no key follows an all-0xff prefix");
  }

  /**
   * The changes of one or more Raft entries, made visible together by {@link #commit}. Its reads
   * ({@link #stream}, {@link #nextOffset}, {@link #exists}) see what it staged. Used by one thread
   * (the apply thread), then closed.
   */
  public final class Batch implements AutoCloseable {
    private final WriteBatch wb = new WriteBatch();
    // Every stream the batch looked at, with its meta as staged (null: absent), first touch first.
    private final LinkedHashMap<String, Staged> streams = new LinkedHashMap<>();
    // Records are gathered into one open chunk, of the stream appended to last; appending to
    // another stream closes it (any cut into chunks reads back the same).
    private final ByteArrayOutputStream chunk = new ByteArrayOutputStream(CHUNK_BYTES + (64 << 10));
    private final CodedOutputStream chunkWriter = CodedOutputStream.newInstance(chunk, 8192);
    private String chunkStream;
    private long chunkOffset;

    private static final class Staged {
      StreamMeta meta;
      boolean changed;

      Staged(StreamMeta meta) {
        this.meta = meta;
      }
    }

    /** The stream's stored meta, with this batch's changes; empty if it has none. */
    public Optional<StreamMeta> stream(String name) {
      return Optional.ofNullable(staged(name).meta);
    }

    /**
     * Whether the stream exists, with this batch's changes: it has a meta, or it is {@code
     * default}, which always exists.
     */
    public boolean exists(String name) {
      return staged(name).meta != null || StreamNames.DEFAULT.equals(name);
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
     * Appends a record that already carries the stream's {@link #nextOffset}; the stream must have
     * a meta (see {@link #create}).
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
      try {
        chunkWriter.writeMessage(RECORDS_FIELD, record);
        chunkWriter.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e); // writes to memory: cannot happen
      }
      s.meta = s.meta.plus(1);
      s.changed = true;
      if (chunk.size() >= CHUNK_BYTES) {
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
        chunk.reset(); // never staged: nothing to delete
        chunkStream = null;
      }
      try {
        // One range tombstone, however many chunks the stream has.
        byte[] prefix = recordPrefix(name);
        wb.deleteRange(prefix, successor(prefix));
      } catch (RocksDBException e) {
        throw new StoreException("cannot stage the delete of stream '" + name + "'", e);
      }
      s.meta = null;
      s.changed = true;
    }

    public void putProducer(long producerId, byte[] entry) {
      put(producerKey(producerId), entry);
    }

    public void deleteProducer(long producerId) {
      try {
        wb.delete(producerKey(producerId));
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
            wb.delete(streamKey(e.getKey()));
          } else {
            wb.put(streamKey(e.getKey()), s.meta.encode());
          }
        }
      } catch (RocksDBException e) {
        throw new StoreException("cannot stage stream metadata", e);
      }
      put(APPLIED_INDEX_KEY, longBytes(index));
      handleLock.readLock().lock();
      try {
        db.write(writeOptions, wb);
      } catch (RocksDBException e) {
        throw new StoreException("cannot write to the log store", e);
      } finally {
        handleLock.readLock().unlock();
      }
      appliedIndex = index;
    }

    private Staged staged(String name) {
      Staged s = streams.get(name);
      if (s == null) {
        handleLock.readLock().lock();
        try {
          byte[] v = db.get(streamKey(name));
          s = new Staged(v == null ? null : StreamMeta.decode(v));
        } catch (RocksDBException e) {
          throw new StoreException("cannot read stream '" + name + "'", e);
        } finally {
          handleLock.readLock().unlock();
        }
        streams.put(name, s);
      }
      return s;
    }

    private void closeChunk() {
      if (chunkStream != null && chunk.size() > 0) {
        put(recordKey(chunkStream, chunkOffset), chunk.toByteArray());
        chunkOffset = streams.get(chunkStream).meta.nextOffset();
      }
      chunk.reset();
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
}
