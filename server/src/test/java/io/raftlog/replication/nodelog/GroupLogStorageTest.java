package io.raftlog.replication.nodelog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's shared Raft log against JRaft's LogStorage contract (as RocksDBLogStorage keeps it),
 * with several groups interleaved in one DB: each must see only its own entries.
 */
class GroupLogStorageTest {
  @TempDir Path dir;
  private NodeLogDb db;
  private final List<LogStorage> open = new ArrayList<>();

  @AfterEach
  void close() {
    open.forEach(LogStorage::shutdown);
    if (db != null) {
      db.close();
    }
  }

  private LogStorage storage(String group) {
    return storage(group, new ConfigurationManager());
  }

  private LogStorage storage(String group, ConfigurationManager confs) {
    if (db == null) {
      db = NodeLogDb.open(dir);
    }
    LogStorage s = new NodeLogServiceFactory(db).createLogStorage("unused", new RaftOptions());
    LogStorageOptions opts = new LogStorageOptions();
    opts.setGroupId(group);
    opts.setConfigurationManager(confs);
    opts.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
    assertTrue(s.init(opts));
    open.add(s);
    return s;
  }

  private void reopen() {
    open.forEach(LogStorage::shutdown);
    open.clear();
    db.close();
    db = null;
  }

  private static LogEntry data(long index, long term, String body) {
    LogEntry e = new LogEntry(EntryType.ENTRY_TYPE_DATA);
    e.setId(new LogId(index, term));
    e.setData(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
    return e;
  }

  private static LogEntry conf(long index, long term, String... peers) {
    LogEntry e = new LogEntry(EntryType.ENTRY_TYPE_CONFIGURATION);
    e.setId(new LogId(index, term));
    List<PeerId> ps = new ArrayList<>();
    for (String p : peers) {
      ps.add(PeerId.parsePeer(p));
    }
    e.setPeers(ps);
    return e;
  }

  private static String body(LogEntry e) {
    return StandardCharsets.UTF_8.decode(e.getData().duplicate()).toString();
  }

  @Test
  void interleavedGroupsEachSeeOnlyTheirOwnEntries() {
    LogStorage a = storage("shard-0");
    LogStorage b = storage("shard-1");
    assertEquals(1, a.getFirstLogIndex());
    assertEquals(0, a.getLastLogIndex());
    for (long i = 1; i <= 10; i++) {
      assertEquals(1, a.appendEntries(List.of(data(i, 1, "a" + i))));
      if (i <= 5) {
        assertTrue(b.appendEntry(data(i, 2, "b" + i)));
      }
    }
    assertEquals(1, a.getFirstLogIndex());
    assertEquals(10, a.getLastLogIndex());
    assertEquals(1, b.getFirstLogIndex());
    assertEquals(5, b.getLastLogIndex());
    assertEquals("a7", body(a.getEntry(7)));
    assertEquals("b3", body(b.getEntry(3)));
    assertNull(b.getEntry(7));
    assertEquals(1, a.getTerm(4));
    assertEquals(2, b.getTerm(4));
    assertEquals(0, b.getTerm(6));
    LogStorage c = storage("meta");
    assertEquals(0, c.getLastLogIndex());
    assertNull(c.getEntry(1));
  }

  @Test
  void appendEntriesWritesAllOfABatchAndSaysHowMany() {
    LogStorage a = storage("g");
    assertEquals(3, a.appendEntries(List.of(data(1, 1, "x"), data(2, 1, "y"), data(3, 1, "z"))));
    assertEquals(0, a.appendEntries(List.of()));
    assertEquals(3, a.getLastLogIndex());
  }

  @Test
  void truncatePrefixKeepsTheNewFirstIndexAcrossAReopen() {
    LogStorage a = storage("a");
    LogStorage b = storage("b");
    for (long i = 1; i <= 10; i++) {
      a.appendEntry(data(i, 1, "a" + i));
      b.appendEntry(data(i, 1, "b" + i));
    }
    assertTrue(a.truncatePrefix(6));
    assertEquals(6, a.getFirstLogIndex());
    assertNull(a.getEntry(5));
    assertEquals("a6", body(a.getEntry(6)));
    assertEquals(1, b.getFirstLogIndex());
    assertEquals("b5", body(b.getEntry(5)));
    reopen();
    a = storage("a");
    b = storage("b");
    assertEquals(6, a.getFirstLogIndex());
    assertEquals(10, a.getLastLogIndex());
    assertNull(a.getEntry(5));
    assertEquals(1, b.getFirstLogIndex());
    assertEquals(10, b.getLastLogIndex());
  }

  @Test
  void truncatePrefixPastTheLastEntryLeavesAnEmptyLogStartingThere() {
    LogStorage a = storage("a");
    for (long i = 1; i <= 3; i++) {
      a.appendEntry(data(i, 1, "a" + i));
    }
    assertTrue(a.truncatePrefix(8));
    assertEquals(8, a.getFirstLogIndex());
    assertEquals(0, a.getLastLogIndex());
  }

  @Test
  void truncateSuffixDropsTheTailOfOneGroupOnly() {
    LogStorage a = storage("a");
    LogStorage b = storage("b");
    for (long i = 1; i <= 10; i++) {
      a.appendEntry(data(i, 1, "a" + i));
      b.appendEntry(data(i, 1, "b" + i));
    }
    assertTrue(a.truncateSuffix(4));
    assertEquals(4, a.getLastLogIndex());
    assertNull(a.getEntry(5));
    assertEquals(10, b.getLastLogIndex());
    a.appendEntry(data(5, 2, "new5"));
    assertEquals("new5", body(a.getEntry(5)));
    assertEquals(2, a.getTerm(5));
  }

  @Test
  void resetLeavesOneEntryAtTheNextIndex() {
    LogStorage a = storage("a");
    LogStorage b = storage("b");
    for (long i = 1; i <= 10; i++) {
      a.appendEntry(data(i, 3, "a" + i));
      b.appendEntry(data(i, 1, "b" + i));
    }
    a.truncatePrefix(3);
    assertTrue(a.reset(20));
    assertEquals(20, a.getFirstLogIndex());
    assertEquals(20, a.getLastLogIndex());
    assertEquals(EntryType.ENTRY_TYPE_NO_OP, a.getEntry(20).getType());
    assertEquals(0, a.getTerm(20));
    assertNull(a.getEntry(5));
    assertTrue(a.reset(20)); // an entry there now: kept as it is
    assertEquals(20, a.getLastLogIndex());
    assertEquals(10, b.getLastLogIndex());
    assertEquals(1, b.getFirstLogIndex());
    reopen();
    a = storage("a");
    assertEquals(20, a.getFirstLogIndex());
    assertEquals(20, a.getLastLogIndex());
  }

  @Test
  void resetToAnIndexItHoldsKeepsThatEntry() {
    LogStorage a = storage("a");
    for (long i = 1; i <= 5; i++) {
      a.appendEntry(data(i, 3, "a" + i));
    }
    assertTrue(a.reset(4));
    assertEquals(4, a.getFirstLogIndex());
    assertEquals(4, a.getLastLogIndex());
    assertEquals("a4", body(a.getEntry(4)));
  }

  @Test
  void confEntriesAreLoadedAtInitFromTheFirstIndexOnAndOnlyTheGroupsOwn() {
    LogStorage a = storage("a");
    LogStorage b = storage("b");
    a.appendEntry(conf(1, 1, "127.0.0.1:1", "127.0.0.1:2"));
    b.appendEntry(conf(1, 1, "127.0.0.1:9"));
    a.appendEntries(List.of(data(2, 1, "x"), conf(3, 1, "127.0.0.1:1"), data(4, 1, "y")));
    reopen();
    ConfigurationManager confs = new ConfigurationManager();
    storage("a", confs);
    assertEquals(3, confs.getLastConfiguration().getId().getIndex());
    assertEquals(2, confs.get(2).getConf().size());
    assertNotNull(confs.get(1));
    ConfigurationManager confsB = new ConfigurationManager();
    storage("b", confsB);
    assertEquals(1, confsB.getLastConfiguration().getId().getIndex());
    assertEquals("127.0.0.1:9", confsB.getLastConfiguration().getConf().toString());
  }

  @Test
  void confEntriesTruncatedAwayAreNotLoaded() {
    LogStorage a = storage("a");
    a.appendEntries(List.of(conf(1, 1, "127.0.0.1:1"), data(2, 1, "x"), data(3, 1, "y")));
    a.truncatePrefix(2);
    reopen();
    ConfigurationManager confs = new ConfigurationManager();
    storage("a", confs);
    assertTrue(confs.getLastConfiguration().isEmpty());
  }

  @Test
  void groupNumbersSurviveAReopenWhateverOrderGroupsStartIn() {
    LogStorage a = storage("a");
    LogStorage b = storage("b");
    a.appendEntry(data(1, 1, "a1"));
    b.appendEntry(data(1, 1, "b1"));
    reopen();
    b = storage("b");
    a = storage("a");
    assertEquals("a1", body(a.getEntry(1)));
    assertEquals("b1", body(b.getEntry(1)));
  }

  @Test
  void aStorageShutDownAndStartedAgainOnTheOpenDbReadsItsLog() {
    LogStorage a = storage("a");
    a.appendEntry(data(1, 1, "a1"));
    a.shutdown();
    assertFalse(a.appendEntry(data(2, 1, "a2")));
    LogStorage again = storage("a");
    assertEquals(1, again.getLastLogIndex());
    assertEquals("a1", body(again.getEntry(1)));
  }
}
