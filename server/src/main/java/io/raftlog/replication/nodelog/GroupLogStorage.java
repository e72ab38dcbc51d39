package io.raftlog.replication.nodelog;

import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.conf.ConfigurationEntry;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.LogEntryDecoder;
import com.alipay.sofa.jraft.entity.codec.LogEntryEncoder;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group's Raft log in the node's {@link NodeLogDb}: JRaft's {@link LogStorage} contract with
 * the semantics of its {@code RocksDBLogStorage} (an append is synced when it returns; a prefix
 * truncation records the new first index, then deletes; conf entries are copied aside so {@link
 * #init} loads the configuration history), over keys of this group's number only, so no group sees
 * another's entries. Made by {@link NodeLogServiceFactory} for each start of a group member; {@link
 * #shutdown} leaves the shared DB open.
 *
 * <p>Threads: JRaft's log manager (appends, truncations, reset), replicators and the state
 * machine's caller (reads); a read-write lock keeps reads off a reset, as JRaft's does.
 */
final class GroupLogStorage implements LogStorage {
  private static final Logger LOG = LoggerFactory.getLogger(GroupLogStorage.class);

  private final NodeLogDb db;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private String groupId;
  private int group;
  private LogEntryEncoder encoder;
  private LogEntryDecoder decoder;
  private volatile boolean open;
  // As JRaft's: once known (recorded by a truncation, or read from the first entry) it is kept.
  private volatile long firstLogIndex = 1;
  private volatile boolean firstIndexKnown;

  GroupLogStorage(NodeLogDb db) {
    this.db = db;
  }

  @Override
  public boolean init(LogStorageOptions opts) {
    lock.writeLock().lock();
    try {
      if (open) {
        return true;
      }
      groupId = opts.getGroupId();
      encoder = opts.getLogEntryCodecFactory().encoder();
      decoder = opts.getLogEntryCodecFactory().decoder();
      db.reopenIfFailed();
      group = db.groupNumber(groupId);
      firstIndexKnown = false;
      firstLogIndex = 1;
      long recorded = db.recordedFirstIndex(group);
      if (recorded > 0) {
        firstLogIndex = recorded;
        firstIndexKnown = true;
      }
      loadConfigurations(opts, firstLogIndex);
      open = true;
      return true;
    } catch (RocksDBException | RuntimeException e) {
      LOG.error("{}: cannot open its Raft log", opts.getGroupId(), e);
      return false;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void loadConfigurations(LogStorageOptions opts, long from) {
    for (byte[] bytes : db.confEntries(group, from)) {
      LogEntry entry = decoder.decode(bytes);
      if (entry == null || entry.getType() != EntryType.ENTRY_TYPE_CONFIGURATION) {
        LOG.warn("{}: undecodable conf entry in the Raft log, skipped", groupId);
        continue;
      }
      ConfigurationEntry conf = new ConfigurationEntry();
      conf.setId(new LogId(entry.getId().getIndex(), entry.getId().getTerm()));
      conf.setConf(new Configuration(entry.getPeers(), entry.getLearners()));
      if (entry.getOldPeers() != null) {
        conf.setOldConf(new Configuration(entry.getOldPeers(), entry.getOldLearners()));
      }
      opts.getConfigurationManager().add(conf);
    }
  }

  @Override
  public void shutdown() {
    lock.writeLock().lock();
    open = false;
    lock.writeLock().unlock();
  }

  @Override
  public long getFirstLogIndex() {
    lock.readLock().lock();
    try {
      if (firstIndexKnown) {
        return firstLogIndex;
      }
      long first = db.edgeIndex(group, false);
      if (first == 0) {
        return 1;
      }
      if (recordFirstIndex(first)) {
        firstLogIndex = first;
        firstIndexKnown = true;
      }
      return first;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long getLastLogIndex() {
    lock.readLock().lock();
    try {
      return db.edgeIndex(group, true);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public LogEntry getEntry(long index) {
    lock.readLock().lock();
    try {
      if (!open || (firstIndexKnown && index < firstLogIndex)) {
        return null;
      }
      byte[] bytes = db.get(false, LogKeys.of(group, index));
      if (bytes == null) {
        return null;
      }
      LogEntry entry = decoder.decode(bytes);
      if (entry == null) {
        LOG.error("{}: undecodable entry at index {}", groupId, index);
      }
      return entry;
    } catch (RocksDBException e) {
      LOG.error("{}: cannot read entry {}", groupId, index, e);
      return null;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long getTerm(long index) {
    LogEntry entry = getEntry(index);
    return entry == null ? 0 : entry.getId().getTerm();
  }

  @Override
  public boolean appendEntry(LogEntry entry) {
    return appendEntries(List.of(entry)) == 1;
  }

  /** All of {@code entries} in one synced write (shared with other groups' concurrent ones). */
  @Override
  public int appendEntries(List<LogEntry> entries) {
    if (entries == null || entries.isEmpty()) {
      return 0;
    }
    lock.readLock().lock();
    try {
      if (!open) {
        LOG.warn("{}: append to a closed Raft log", groupId);
        return 0;
      }
      db.write((batch, c) -> entries.forEach(e -> put(batch, c, e)));
      return entries.size();
    } catch (RocksDBException | RuntimeException e) {
      LOG.error("{}: cannot append {} entries", groupId, entries.size(), e);
      return 0;
    } finally {
      lock.readLock().unlock();
    }
  }

  private void put(WriteBatch batch, NodeLogDb.Columns c, LogEntry entry) {
    byte[] key = LogKeys.of(group, entry.getId().getIndex());
    byte[] value = encoder.encode(entry);
    try {
      batch.put(c.entries(), key, value);
      if (entry.getType() == EntryType.ENTRY_TYPE_CONFIGURATION) {
        batch.put(c.conf(), key, value);
      }
    } catch (RocksDBException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Records {@code firstIndexKept} as the first index (durably), then deletes what lies before it
   * with range deletes: covered entries still in a memtable are dropped at flush, never written.
   */
  @Override
  public boolean truncatePrefix(long firstIndexKept) {
    lock.readLock().lock();
    try {
      long start = getFirstLogIndex();
      byte[] from = LogKeys.of(group, Math.min(start, firstIndexKept));
      byte[] to = LogKeys.of(group, firstIndexKept);
      db.write(
          (batch, c) -> {
            batch.put(c.groups(), LogKeys.groupKey(group), LogKeys.longValue(firstIndexKept));
            batch.deleteRange(c.entries(), from, to);
            batch.deleteRange(c.conf(), from, to);
          });
      firstLogIndex = firstIndexKept;
      firstIndexKnown = true;
      db.compactSoon(group, firstIndexKept); // the range delete frees nothing until compacted
      return true;
    } catch (RocksDBException e) {
      LOG.error("{}: cannot truncate the Raft log before {}", groupId, firstIndexKept, e);
      return false;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public boolean truncateSuffix(long lastIndexKept) {
    lock.readLock().lock();
    try {
      byte[] from = LogKeys.of(group, lastIndexKept + 1);
      byte[] to = LogKeys.end(group);
      db.write(
          (batch, c) -> {
            batch.deleteRange(c.entries(), from, to);
            batch.deleteRange(c.conf(), from, to);
          });
      return true;
    } catch (RocksDBException e) {
      LOG.error("{}: cannot truncate the Raft log after {}", groupId, lastIndexKept, e);
      return false;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Empties this group's log and leaves one entry at {@code nextLogIndex}: the one there if it had
   * one, else a no-op of term 0 (JRaft's {@code RocksDBLogStorage} destroys its DB and does the
   * same). One write: a crash leaves the old log or the new one.
   */
  @Override
  public boolean reset(long nextLogIndex) {
    if (nextLogIndex <= 0) {
      throw new IllegalArgumentException("Invalid next log index.");
    }
    lock.writeLock().lock();
    try {
      LogEntry kept = readEntry(nextLogIndex);
      if (kept == null) {
        kept = new LogEntry();
        kept.setType(EntryType.ENTRY_TYPE_NO_OP);
        kept.setId(new LogId(nextLogIndex, 0));
        LOG.warn("{}: no entry at {} to keep on reset", groupId, nextLogIndex);
      }
      LogEntry entry = kept;
      db.write(
          (batch, c) -> {
            batch.deleteRange(c.entries(), LogKeys.start(group), LogKeys.end(group));
            batch.deleteRange(c.conf(), LogKeys.start(group), LogKeys.end(group));
            batch.delete(c.groups(), LogKeys.groupKey(group));
            put(batch, c, entry);
          });
      firstLogIndex = 1;
      firstIndexKnown = false;
      return true;
    } catch (RocksDBException | RuntimeException e) {
      LOG.error("{}: cannot reset the Raft log to {}", groupId, nextLogIndex, e);
      return false;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private LogEntry readEntry(long index) throws RocksDBException {
    byte[] bytes = db.get(false, LogKeys.of(group, index));
    return bytes == null ? null : decoder.decode(bytes);
  }

  private boolean recordFirstIndex(long first) {
    try {
      db.write(
          (batch, c) -> batch.put(c.groups(), LogKeys.groupKey(group), LogKeys.longValue(first)));
      return true;
    } catch (RocksDBException e) {
      LOG.error("{}: cannot record first index {}", groupId, first, e);
      return false;
    }
  }
}
