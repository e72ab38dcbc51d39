package io.raftlog.bench;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreBatch;
import io.raftlog.storage.StoredRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The store's half of a random lookup ({@code raftlog bench lookup}): one shard store holding
 * {@code streams} streams of one 100 B record each, flushed to files, and a read of offset 0 of a
 * random one (its metadata and its one chunk), as a Consume with max_records 1 does.
 *
 * <p>Units: lookups per second, one thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class StreamLookupBenchmark {
  private static final int BATCH_STREAMS = 10_000;

  @Param({"200000"})
  public int streams;

  private Path dir;
  private RocksLogStore store;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("raftlog-jmh-");
    store = RocksLogStore.open(dir);
    byte[] value = new byte[100];
    ThreadLocalRandom.current().nextBytes(value);
    Record record = Record.newBuilder().setValue(ByteString.copyFrom(value)).build();
    long index = 0;
    for (int from = 0; from < streams; from += BATCH_STREAMS) {
      try (StoreBatch batch = store.newBatch()) {
        for (int i = from; i < Math.min(streams, from + BATCH_STREAMS); i++) {
          batch.create(name(i), 1);
          batch.append(name(i), record);
        }
        batch.commit(++index);
      }
    }
    // Closing flushes the memtable (the store writes no WAL): lookups then read files, as on a
    // node whose streams were created a while ago.
    store.close();
    store = RocksLogStore.open(dir);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    TempDirs.delete(dir);
  }

  @Benchmark
  public StoredRecords lookup() {
    return store
        .read(name(ThreadLocalRandom.current().nextInt(streams)), 0, 1, 1 << 20)
        .orElseThrow();
  }

  private static String name(int i) {
    return String.format("lookup-%07d", i);
  }
}
