package io.raftlog.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Checkpoint;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The applied log of one node: records keyed by offset, plus the metadata that must move with them
 * (next offset, last applied Raft index, the idempotent-producer table), all in one RocksDB.
 *
 * <p>Records are stored in chunks: one value holds consecutive records (up to {@link
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
  // A record in a chunk is encoded as the records field of a ConsumeResponse: tag, length, bytes.
  private static final int RECORDS_FIELD = ConsumeResponse.RECORDS_FIELD_NUMBER;
  private static final int RECORDS_FIELD_TAG = (RECORDS_FIELD << 3) | 2; // length-delimited
  private static final byte PRODUCER = 'p';
  private static final byte[] NEXT_OFFSET_KEY = "m/next_offset".getBytes();
  private static final byte[] APPLIED_INDEX_KEY = "m/applied_index".getBytes();

  private final Path dir;
  // Readers share the handle; restoring a snapshot swaps it under the write lock.
  private final ReadWriteLock handleLock = new ReentrantReadWriteLock();
  private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
  private final LRUCache blockCache = new LRUCache(16L << 20);
  private Options options;
  private RocksDB db;
  private volatile long nextOffset;
  private volatile long appliedIndex;

  private RocksLogStore(Path dir) {
    this.dir = dir;
  }

  public static RocksLogStore open(Path dir) {
    RocksLogStore store = new RocksLogStore(dir);
    store.openHandle();
    return store;
  }

  private void openHandle() {
    try {
      Files.createDirectories(dir);
      options =
          new Options()
              .setCreateIfMissing(true)
              .setWriteBufferSize(32L << 20)
              .setMaxWriteBufferNumber(3)
              .setKeepLogFileNum(5)
              .setEnableBlobFiles(true)
              .setMinBlobSize(4096)
              .setBlobFileSize(256L << 20)
              // Not written past the page cache (as the Raft log is): consumers read these files
              // back, and a direct-I/O flush made every read of them go to the disk.
              .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache));
      db = RocksDB.open(options, dir.toString());
      nextOffset = readLong(db, NEXT_OFFSET_KEY);
      appliedIndex = readLong(db, APPLIED_INDEX_KEY);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RocksDBException e) {
      throw new StoreException("cannot open the log store in " + dir, e);
    }
  }

  /** One past the offset of the last record. */
  public long nextOffset() {
    return nextOffset;
  }

  /** The Raft index of the last entry whose changes this store holds. */
  public long appliedIndex() {
    return appliedIndex;
  }

  public Batch newBatch() {
    return new Batch();
  }

  /**
   * Records from {@code offset} on: at most {@code maxRecords}, and no more than {@code maxBytes}
   * of encoded records unless the first record alone is larger.
   */
  public StoredRecords read(long offset, int maxRecords, int maxBytes) {
    long end = nextOffset;
    if (offset >= end || maxRecords <= 0) {
      return StoredRecords.EMPTY;
    }
    List<ByteString> parts = new ArrayList<>();
    int count = 0;
    handleLock.readLock().lock();
    try (Slice lower = new Slice(new byte[] {RECORD});
        Slice upper = new Slice(recordKey(end));
        ReadOptions ro = new ReadOptions().setIterateLowerBound(lower).setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(ro)) {
      // The chunk that holds `offset` starts at or before it.
      it.seekForPrev(recordKey(offset));
      if (!it.isValid()) {
        it.seek(recordKey(offset));
      }
      long bytes = 0;
      boolean full = false;
      for (; it.isValid() && !full; it.next()) {
        long o = ByteBuffer.wrap(it.key(), 1, 8).getLong();
        byte[] chunk = it.value();
        CodedInputStream in = CodedInputStream.newInstance(chunk);
        int from = -1;
        int pos = 0;
        // Walks the records' tags and lengths only; their bytes are handed on as they are.
        for (; !in.isAtEnd(); o++) {
          int start = in.getTotalBytesRead();
          if (in.readTag() != RECORDS_FIELD_TAG) {
            throw new StoreException("the chunk holding offset " + o + " is corrupt", null);
          }
          in.skipRawBytes(in.readRawVarint32());
          int stop = in.getTotalBytesRead();
          if (o < offset) {
            continue;
          }
          if (count == maxRecords || (count > 0 && bytes + (stop - start) > maxBytes)) {
            full = true;
            break;
          }
          from = from < 0 ? start : from;
          pos = stop;
          bytes += stop - start;
          count++;
        }
        if (from >= 0) {
          // The array came fresh from RocksDB and nothing else holds it: share it, don't copy.
          parts.add(UnsafeByteOperations.unsafeWrap(chunk, from, pos - from));
        }
      }
      it.status();
      return new StoredRecords(parts, count);
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the log at offset " + offset, e);
    } catch (IOException e) {
      throw new StoreException("a stored chunk near offset " + offset + " is corrupt", e);
    } finally {
      handleLock.readLock().unlock();
    }
  }

  /**
   * Every stored idempotent-producer entry, by producer id, as {@link Batch#putProducer} wrote it.
   */
  public Map<Long, byte[]> producers() {
    Map<Long, byte[]> out = new HashMap<>();
    handleLock.readLock().lock();
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(new byte[] {PRODUCER}); it.isValid() && it.key()[0] == PRODUCER; it.next()) {
        out.put(ByteBuffer.wrap(it.key(), 1, 8).getLong(), it.value());
      }
      return out;
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
   * Replaces this store's whole content with a checkpoint's (a snapshot installed from the leader).
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
      blockCache.close();
    } finally {
      handleLock.writeLock().unlock();
    }
  }

  private void closeHandle() {
    if (db != null) {
      db.close();
      options.close();
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

  // Big-endian offsets sort in offset order under RocksDB's bytewise comparator.
  private static byte[] recordKey(long offset) {
    return ByteBuffer.allocate(9).put(RECORD).putLong(offset).array();
  }

  private static byte[] producerKey(long producerId) {
    return ByteBuffer.allocate(9).put(PRODUCER).putLong(producerId).array();
  }

  /** The changes of one or more Raft entries, made visible together by {@link #commit}. */
  public final class Batch implements AutoCloseable {
    private final WriteBatch wb = new WriteBatch();
    private long next = nextOffset;
    private long chunkOffset = next;
    private final ByteArrayOutputStream chunk = new ByteArrayOutputStream(CHUNK_BYTES + (64 << 10));
    private final CodedOutputStream chunkWriter = CodedOutputStream.newInstance(chunk, 8192);

    /** The offset the next appended record gets. */
    public long nextOffset() {
      return next;
    }

    /** Appends a record that already carries offset {@link #nextOffset()}. */
    public void append(Record record) {
      if (record.getOffset() != next) {
        throw new IllegalArgumentException(
            "record has offset " + record.getOffset() + ", expected " + next);
      }
      try {
        chunkWriter.writeMessage(RECORDS_FIELD, record);
        chunkWriter.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e); // writes to memory: cannot happen
      }
      next++;
      if (chunk.size() >= CHUNK_BYTES) {
        closeChunk();
      }
    }

    private void closeChunk() {
      if (next > chunkOffset) {
        put(recordKey(chunkOffset), chunk.toByteArray());
        chunk.reset();
        chunkOffset = next;
      }
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

    /** Writes everything staged, as of Raft index {@code index}, atomically. */
    public void commit(long index) {
      closeChunk();
      put(NEXT_OFFSET_KEY, longBytes(next));
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
      nextOffset = next;
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
