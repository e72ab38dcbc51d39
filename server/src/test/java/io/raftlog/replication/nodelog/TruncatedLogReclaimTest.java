package io.raftlog.replication.nodelog;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.DirectorySize;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Raft log truncated after a snapshot gives its disk space back: the range delete is compacted
 * away ({@link LogCompactor}) and the WAL that held the entries goes with the flush, without
 * anything else written to the log afterwards (an idle node after a burst).
 */
class TruncatedLogReclaimTest {
  private static final int ENTRY_BYTES = 64 << 10;
  private static final int ENTRIES = 1_600; // 100 MiB

  @TempDir Path dir;

  @Test
  void aTruncatedPrefixLeavesTheDiskOnceCompacted() throws Exception {
    try (NodeLogDb db = NodeLogDb.open(dir)) {
      LogStorage log = new NodeLogServiceFactory(db).createLogStorage("unused", new RaftOptions());
      LogStorageOptions opts = new LogStorageOptions();
      opts.setGroupId("shard-0");
      opts.setConfigurationManager(new ConfigurationManager());
      opts.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
      assertTrue(log.init(opts));
      byte[] body = new byte[ENTRY_BYTES];
      for (int i = 0; i < ENTRIES; i += 16) {
        List<LogEntry> batch = new ArrayList<>();
        for (int j = i; j < i + 16; j++) {
          LogEntry e = new LogEntry(EntryType.ENTRY_TYPE_DATA);
          e.setId(new LogId(j + 1, 1));
          e.setData(ByteBuffer.wrap(body));
          batch.add(e);
        }
        log.appendEntries(batch);
      }
      long full = DirectorySize.of(dir);
      assertTrue(full > 90L << 20, "the log holds its 100 MiB: " + full);

      assertTrue(log.truncatePrefix(ENTRIES)); // keeps the last entry
      Await.until(
          Duration.ofSeconds(30),
          "the truncated 100 MiB to leave the disk",
          () -> DirectorySize.of(dir) < 16L << 20);
      log.shutdown();
    }
  }
}
