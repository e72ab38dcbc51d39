package io.raftlog.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.MutableColumnFamilyOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The open RocksDB of one shard replica: its options, opening and closing, and the lock under which
 * it can be swapped (reopened after a write error, or replaced by a snapshot) while others use it.
 * Also the Raft index of the last batch written.
 *
 * <p>Owned by its {@link RocksLogStore}. Readers and the write batch (any thread) hold {@link
 * #readLock} while they use {@link #db}; swapping takes the write lock.
 */
final class RocksHandle {
  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final StoreResources shared;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  // Writes skip RocksDB's WAL: the Raft log is already a durable log of the same changes.
  private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
  private Options options;
  private BloomFilter bloom;
  private RocksDB db;
  private volatile long appliedIndex;
  // Streams the database holds: read from its g/stream_count key when it opens, then moved by
  // each write's creates and deletes (written on the apply thread only), so the metrics read it
  // without a scan. A store written before that key is counted once, and its next batch stores it.
  private volatile long streams;
  private volatile boolean streamsStored;
  private final Reclaimer reclaimer;
  // Whether blob garbage collection is on in the open database (see BLOB_GC_AGE_CUTOFF).
  private volatile boolean blobGc;

  /** Opens (or creates) the database in {@code dir}, borrowing {@code shared}. */
  RocksHandle(Path dir, StoreResources shared) {
    this.dir = dir;
    this.shared = shared;
    this.reclaimer = new Reclaimer(this, shared.reclaimThread());
    open();
  }

  /**
   * Blob files: records are values of a few KiB to MiB and go to blob files, so compaction moves
   * only keys. A file is at most this large (a flush writes one of at most a memtable's size; a
   * compaction that rewrites values fills them up to this): a file is deleted only once every value
   * in it was dropped, so smaller files give space back sooner.
   */
  static final long BLOB_FILE_BYTES = 64L << 20;

  /**
   * Blob garbage collection, turned on only once this store dropped records ({@link #compact}, at
   * the first reclaim after each open): a compaction then rewrites the live values it meets in the
   * oldest quarter of the blob files, so an old file whose records were mostly truncated (beside a
   * few of a stream that keeps them) does not stay for those few; and once the oldest files are
   * more than half garbage, RocksDB compacts the SST files that refer to them for that alone. Off
   * until then: a shard that only appends has nothing to collect, and paid for it in rewritten
   * values (filling a one-shard cluster with 2 GB with it on left the leader's shard directory at
   * 3.0 GB beside its 2.0 GB snapshot, which shares the files it did not rewrite).
   */
  static final double BLOB_GC_AGE_CUTOFF = 0.25;

  static final double BLOB_GC_FORCE_THRESHOLD = 0.5;

  private void open() {
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
              .setBlobFileSize(BLOB_FILE_BYTES)
              .setEnableBlobGarbageCollection(false)
              .setBlobGarbageCollectionAgeCutoff(BLOB_GC_AGE_CUTOFF)
              .setBlobGarbageCollectionForceThreshold(BLOB_GC_FORCE_THRESHOLD)
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
      blobGc = false;
      appliedIndex = KeyLayout.longOf(db.get(KeyLayout.APPLIED_INDEX));
      byte[] stored = db.get(KeyLayout.STREAM_COUNT);
      streamsStored = stored != null;
      streams = streamsStored ? KeyLayout.longOf(stored) : countStreams();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RocksDBException e) {
      throw new StoreException("cannot open the log store in " + dir, e);
    }
  }

  /** Held while using {@link #db}: the handle is not swapped meanwhile. */
  Lock readLock() {
    return lock.readLock();
  }

  /** The database; only under {@link #readLock}. */
  RocksDB db() {
    return db;
  }

  /** The Raft index of the last entry whose changes the database holds. */
  long appliedIndex() {
    return appliedIndex;
  }

  /** One pass over the stream keys, when a database without {@code g/stream_count} opens. */
  private long countStreams() throws RocksDBException {
    long n = 0;
    try (Slice upper = new Slice(KeyLayout.streamsUntil(""));
        ReadOptions ro = new ReadOptions().setIterateUpperBound(upper);
        RocksIterator it = db.newIterator(ro)) {
      for (it.seek(KeyLayout.streamsFrom("", "")); it.isValid(); it.next()) {
        n++;
      }
      it.status();
    }
    return n;
  }

  /** Streams the database holds. */
  long streams() {
    return streams;
  }

  /** Whether the database holds {@link #streams()} under {@code g/stream_count}. */
  boolean streamsStored() {
    return streamsStored;
  }

  /**
   * Writes {@code batch}, which applies the Raft entries up to {@code index} and creates {@code
   * streamsAdded} streams net (negative: deletes), atomically; the batch holds the new count under
   * {@code g/stream_count} when it changed or was not stored yet.
   */
  void write(WriteBatch batch, long index, long streamsAdded) {
    lock.readLock().lock();
    try {
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new StoreException("cannot write to the log store", e);
    } finally {
      lock.readLock().unlock();
    }
    appliedIndex = index;
    streams += streamsAdded;
    streamsStored = true;
  }

  /** Compacts the keys from {@code from} (inclusive) to {@code to}; see {@link Reclaimer}. */
  void compact(byte[] from, byte[] to) throws RocksDBException {
    lock.readLock().lock();
    try {
      if (db != null) {
        if (!blobGc) {
          db.setOptions(
              MutableColumnFamilyOptions.builder().setEnableBlobGarbageCollection(true).build());
          blobGc = true;
        }
        // Not exclusive: an exclusive manual compaction holds back RocksDB's own compactions
        // while it runs, level-0 files pile up under a steady write load, and RocksDB then stalls
        // writes, which here is the shard's apply thread.
        try (CompactRangeOptions shared = new CompactRangeOptions()) {
          db.compactRange(
              db.getDefaultColumnFamily(), from, to, shared.setExclusiveManualCompaction(false));
        }
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  Reclaimer reclaimer() {
    return reclaimer;
  }

  /** Writes a consistent copy of the database into {@code target} (which must not exist yet). */
  void checkpoint(Path target) {
    lock.readLock().lock();
    try (Checkpoint cp = Checkpoint.create(db)) {
      // Flushes the memtable first, so the checkpoint holds everything applied so far.
      cp.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new StoreException("cannot write a checkpoint to " + target, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The applied Raft index recorded in a checkpoint written by {@link #checkpoint}. */
  static long appliedIndexOf(Path checkpoint) {
    try (Options o = new Options();
        RocksDB ro = RocksDB.openReadOnly(o, checkpoint.toString())) {
      return KeyLayout.longOf(ro.get(KeyLayout.APPLIED_INDEX));
    } catch (RocksDBException e) {
      throw new StoreException("cannot read the checkpoint in " + checkpoint, e);
    }
  }

  /** Closes and opens the database again; see {@link RocksLogStore#reopen}. */
  void reopen() {
    lock.writeLock().lock();
    try {
      closeDb();
      open();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Replaces the database's whole content with a checkpoint's; touches only this directory. */
  void restoreFrom(Path checkpoint) {
    lock.writeLock().lock();
    try {
      closeDb();
      deleteTree(dir);
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(checkpoint)) {
        for (Path f : files.toList()) {
          Path to = dir.resolve(f.getFileName());
          // SST and blob files never change once written, so they can be shared (a 2 GB shard is
          // mostly blob files: copying them doubled the install's disk and time); the rest is
          // copied.
          String name = f.getFileName().toString();
          if (name.endsWith(".sst") || name.endsWith(".blob")) {
            Files.createLink(to, f);
          } else {
            Files.copy(f, to);
          }
        }
      }
      open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore the log store from " + checkpoint, e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  void close() {
    lock.writeLock().lock();
    try {
      closeDb();
      writeOptions.close();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void closeDb() {
    if (db != null) {
      db.close();
      options.close();
      bloom.close();
      db = null;
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
