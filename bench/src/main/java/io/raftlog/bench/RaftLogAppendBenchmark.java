package io.raftlog.bench;

import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.v2.LogEntryV2CodecFactory;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import com.alipay.sofa.jraft.storage.impl.RocksDBLogStorage;
import io.raftlog.replication.nodelog.NodeLogDb;
import io.raftlog.replication.nodelog.NodeLogServiceFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Raft log's append path as JRaft's log manager drives it: each thread is one group's log
 * manager, appending one entry of {@code entryBytes} at a time with a synced {@code appendEntries}.
 * {@code layout=shared}: every group in the node's one log ({@link NodeLogDb}); {@code
 * layout=perGroup}: one JRaft {@link RocksDBLogStorage} (one RocksDB, one WAL) per group, as
 * before. Run with {@code -t N} for N groups (default 6, the default shard count). The score is
 * appends per second over all groups; each one is on disk when counted.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Threads(6)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class RaftLogAppendBenchmark {
  @Param({"shared", "perGroup"})
  public String layout;

  @Param({"16384"})
  public int entryBytes;

  private Path dir;
  private NodeLogDb shared;
  private final List<LogStorage> logs = new ArrayList<>();
  private final AtomicInteger nextGroup = new AtomicInteger();

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("raftlog-jmh-raftlog");
    if (layout.equals("shared")) {
      shared = NodeLogDb.open(dir.resolve("raft-log"));
    }
  }

  /** One group's log, made by the first call of each thread. */
  synchronized LogStorage newGroup() {
    int g = nextGroup.getAndIncrement();
    RaftOptions raft = new RaftOptions();
    raft.setSync(true);
    LogStorage s =
        shared != null
            ? new NodeLogServiceFactory(shared).createLogStorage("", raft)
            : new RocksDBLogStorage(dir.resolve("group-" + g).toString(), raft);
    LogStorageOptions opts = new LogStorageOptions();
    opts.setGroupId("group-" + g);
    opts.setConfigurationManager(new ConfigurationManager());
    opts.setLogEntryCodecFactory(LogEntryV2CodecFactory.getInstance());
    if (!s.init(opts)) {
      throw new IllegalStateException("cannot open the log of group " + g);
    }
    logs.add(s);
    return s;
  }

  /** A group: its log and next index. */
  @State(Scope.Thread)
  public static class Group {
    LogStorage log;
    long next = 1;
    byte[] body;

    @Setup(Level.Trial)
    public void open(RaftLogAppendBenchmark bench) {
      log = bench.newGroup();
      body = new byte[bench.entryBytes];
    }
  }

  @Benchmark
  public int append(Group g) {
    LogEntry e = new LogEntry(EntryType.ENTRY_TYPE_DATA);
    e.setId(new LogId(g.next++, 1));
    e.setData(ByteBuffer.wrap(g.body));
    int n = g.log.appendEntries(List.of(e));
    if (n != 1) {
      throw new IllegalStateException("append failed");
    }
    return n;
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    logs.forEach(LogStorage::shutdown);
    if (shared != null) {
      shared.close();
    }
    TempDirs.delete(dir);
  }
}
