package io.raftlog.replication.nodelog;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one RocksDB that holds the Raft log of every group of a node (under {@code
 * data.dir/raft-log/}), so that appends of different groups that meet share one WAL write and one
 * fsync: RocksDB makes concurrent writers a write group whose leader writes and syncs the WAL for
 * all of them. Three column families: {@code default} holds the entries, {@code conf} a copy of the
 * configuration entries (so a group's configuration history loads without reading its log), {@code
 * groups} each group's number (assigned here, once, and recorded: never a hash) and first index.
 * Keys are {@link LogKeys}: a group's number then the index.
 *
 * <p>Owned by the node's {@code RaftTransport}: opened before any group starts, closed after every
 * group has stopped. Every group's {@link GroupLogStorage} uses it from JRaft's threads (the log
 * manager's, replicators', the snapshot executor's); all of its methods are thread-safe.
 *
 * <p>A write that fails (a full disk) leaves RocksDB refusing all writes until it is reopened, and
 * with it every group's log: the first group member restarted afterwards (the disk guard restarts
 * each member JRaft stopped on the error) reopens it, see {@link #reopenIfFailed()}.
 */
public final class NodeLogDb implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeLogDb.class);
  private static final byte[] CONF = "conf".getBytes(StandardCharsets.UTF_8);
  private static final byte[] GROUPS = "groups".getBytes(StandardCharsets.UTF_8);
  private static final String NAME_PREFIX = "name/";

  static {
    RocksDB.loadLibrary();
  }

  /** The column families a batch writes to; valid while the caller holds the read lock. */
  record Columns(ColumnFamilyHandle entries, ColumnFamilyHandle conf, ColumnFamilyHandle groups) {}

  /** Fills a write batch; runs under the read lock. */
  interface BatchFiller {
    void fill(WriteBatch batch, Columns columns) throws RocksDBException;
  }

  private final Path dir;
  // Read lock: every use of the DB; write lock: open, reopen, close (handles change).
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, Integer> numbers = new HashMap<>();
  private final WriteOptions sync = new WriteOptions().setSync(true);
  private final ReadOptions totalOrder = new ReadOptions().setTotalOrderSeek(true);
  private DBOptions dbOptions;
  private final List<ColumnFamilyOptions> cfOptions = new ArrayList<>();
  private RocksDB db;
  private Columns columns;
  private volatile boolean failed;
  private int nextNumber = 1;
  private final LogCompactor compactor = new LogCompactor(this::flushAndCompact);

  private NodeLogDb(Path dir) {
    this.dir = dir;
  }

  /** Opens (creating if need be) the node's Raft log in {@code dir}. */
  public static NodeLogDb open(Path dir) {
    NodeLogDb log = new NodeLogDb(dir);
    log.lock.writeLock().lock();
    try {
      Files.createDirectories(dir);
      log.openDb();
      log.loadNumbers();
    } catch (Exception e) {
      log.close();
      throw new IllegalStateException("cannot open the node's Raft log in " + dir, e);
    } finally {
      log.lock.writeLock().unlock();
    }
    return log;
  }

  private void openDb() throws RocksDBException {
    dbOptions = Tuning.dbOptions();
    ColumnFamilyOptions entries = Tuning.entryColumn();
    ColumnFamilyOptions small = Tuning.smallColumn();
    cfOptions.add(entries);
    cfOptions.add(small);
    List<ColumnFamilyDescriptor> descriptors =
        List.of(
            new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, entries),
            new ColumnFamilyDescriptor(CONF, small),
            new ColumnFamilyDescriptor(GROUPS, small));
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    columns = new Columns(handles.get(0), handles.get(1), handles.get(2));
  }

  private void loadNumbers() {
    try (RocksIterator it = db.newIterator(columns.groups(), totalOrder)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        String key = new String(it.key(), StandardCharsets.UTF_8);
        if (key.startsWith(NAME_PREFIX)) {
          int n = LogKeys.group(it.value());
          numbers.put(key.substring(NAME_PREFIX.length()), n);
          nextNumber = Math.max(nextNumber, n + 1);
        }
      }
    }
  }

  /** The number of {@code groupId} in this log, assigned (and made durable) on its first use. */
  int groupNumber(String groupId) throws RocksDBException {
    synchronized (numbers) {
      Integer n = numbers.get(groupId);
      if (n != null) {
        return n;
      }
      int assigned = nextNumber;
      write(
          (batch, c) ->
              batch.put(
                  c.groups(),
                  (NAME_PREFIX + groupId).getBytes(StandardCharsets.UTF_8),
                  LogKeys.groupKey(assigned)));
      nextNumber++;
      numbers.put(groupId, assigned);
      return assigned;
    }
  }

  /**
   * Deletes every entry, configuration and first index of {@code groupId}: its replica left this
   * node (a move took it away) and a later replica of the same group here must start from an empty
   * log, not find this one's remains ("Missing logs in (0, n)"). Its member must be stopped.
   */
  public void forget(String groupId) throws RocksDBException {
    Integer n;
    synchronized (numbers) {
      n = numbers.get(groupId);
    }
    if (n == null) {
      return;
    }
    int group = n;
    write(
        (batch, c) -> {
          batch.deleteRange(c.entries(), LogKeys.start(group), LogKeys.end(group));
          batch.deleteRange(c.conf(), LogKeys.start(group), LogKeys.end(group));
          batch.delete(c.groups(), LogKeys.groupKey(group));
        });
  }

  /** Writes one batch, synced to disk before this returns. */
  void write(BatchFiller filler) throws RocksDBException {
    lock.readLock().lock();
    try (WriteBatch batch = new WriteBatch()) {
      Columns c = open();
      filler.fill(batch, c);
      db.write(sync, batch);
    } catch (RocksDBException e) {
      failed = true;
      throw e;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * After a prefix truncation of {@code group}: its entries before {@code firstKept} are compacted
   * away in the background, soon ({@link LogCompactor}). Returns at once.
   */
  void compactSoon(int group, long firstKept) {
    compactor.request(group, firstKept);
  }

  private void flushAndCompact(Map<Integer, Long> firstKeptByGroup) throws RocksDBException {
    lock.readLock().lock();
    try (FlushOptions wait = new FlushOptions().setWaitForFlush(true);
        // Not exclusive: an exclusive manual compaction holds back RocksDB's own compactions while
        // it runs, level-0 files pile up under the appends of every group, and RocksDB then stalls
        // every group's log writes.
        CompactRangeOptions shared =
            new CompactRangeOptions().setExclusiveManualCompaction(false)) {
      Columns c = open();
      db.flush(wait, List.of(c.entries(), c.conf(), c.groups()));
      for (Map.Entry<Integer, Long> e : firstKeptByGroup.entrySet()) {
        byte[] from = LogKeys.start(e.getKey());
        byte[] to = LogKeys.of(e.getKey(), e.getValue());
        db.compactRange(c.entries(), from, to, shared);
        db.compactRange(c.conf(), from, to, shared);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The value of {@code key} in the entries (or, with {@code conf}, the conf) column; or null. */
  byte[] get(boolean conf, byte[] key) throws RocksDBException {
    lock.readLock().lock();
    try {
      Columns c = open();
      return db.get(conf ? c.conf() : c.entries(), key);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The first index recorded for {@code group} by a prefix truncation, or 0 if none is. */
  long recordedFirstIndex(int group) throws RocksDBException {
    lock.readLock().lock();
    try {
      byte[] v = db.get(open().groups(), LogKeys.groupKey(group));
      return v == null ? 0 : LogKeys.longOf(v);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The lowest (or, with {@code last}, highest) index {@code group} has an entry at; 0 if none. */
  long edgeIndex(int group, boolean last) {
    lock.readLock().lock();
    try (RocksIterator it = db.newIterator(open().entries(), totalOrder)) {
      if (last) {
        it.seekForPrev(LogKeys.of(group, Long.MAX_VALUE));
      } else {
        it.seek(LogKeys.start(group));
      }
      return it.isValid() && LogKeys.group(it.key()) == group ? LogKeys.index(it.key()) : 0;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Every configuration entry of {@code group} at {@code from} or after, in index order. */
  List<byte[]> confEntries(int group, long from) {
    List<byte[]> out = new ArrayList<>();
    lock.readLock().lock();
    try (RocksIterator it = db.newIterator(open().conf(), totalOrder)) {
      for (it.seek(LogKeys.of(group, from)); it.isValid(); it.next()) {
        if (LogKeys.group(it.key()) != group) {
          break;
        }
        out.add(it.value());
      }
    } finally {
      lock.readLock().unlock();
    }
    return out;
  }

  /**
   * After a failed write, RocksDB refuses every later one until it is opened again: reopen it (its
   * WAL replays what was synced). Called when a group's log starts, i.e. when the disk guard
   * restarts a member JRaft stopped on that failure; nothing happens unless a write failed.
   */
  void reopenIfFailed() throws RocksDBException {
    if (!failed) {
      return;
    }
    lock.writeLock().lock();
    try {
      if (!failed) {
        return;
      }
      LOG.info("reopening the node's Raft log in {} after a failed write", dir);
      closeDb();
      openDb();
      failed = false;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private Columns open() {
    if (db == null) {
      throw new IllegalStateException("the node's Raft log in " + dir + " is closed");
    }
    return columns;
  }

  private void closeDb() {
    if (columns != null) {
      columns.entries().close();
      columns.conf().close();
      columns.groups().close();
      columns = null;
    }
    if (db != null) {
      db.close();
      db = null;
    }
    cfOptions.forEach(ColumnFamilyOptions::close);
    cfOptions.clear();
    if (dbOptions != null) {
      dbOptions.close();
      dbOptions = null;
    }
  }

  /** Closes the DB. Every group using it must have stopped. */
  @Override
  public void close() {
    compactor.close();
    lock.writeLock().lock();
    try {
      closeDb();
      sync.close();
      totalOrder.close();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
