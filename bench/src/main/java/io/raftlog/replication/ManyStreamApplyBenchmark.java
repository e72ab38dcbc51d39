package io.raftlog.replication;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.bench.TempDirs;
import io.raftlog.internal.v1.AppendBatch;
import io.raftlog.internal.v1.ShardEntry;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The apply of a many-stream batch, as a shard's state machine runs it: one Raft entry of an
 * idempotent producer holding {@value #PARTS} parts of one 100 B record each, every part another
 * stream of a shard with {@code streams} existing streams (the client's batch when it writes round
 * robin over many streams), applied by {@link EntryApplier} into one {@link StoreBatch} and
 * committed. It lives in the applier's package because the applier is package-private.
 *
 * <p>Units: records (= parts) per second. On a loaded machine the throughput swings with RocksDB's
 * background flushes; the apply thread's CPU time per record (about 4 us on the 2-core machine of
 * issue 19) is the steadier figure to compare.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ManyStreamApplyBenchmark {
  // About what a 256 KiB client batch of 100 B records over distinct streams holds.
  static final int PARTS = 1800;
  private static final long PRODUCER = 7;

  @Param({"20000"})
  public int streams;

  private Path dir;
  private RocksLogStore store;
  private EntryApplier applier;
  private ShardEntry[] entries;
  private long raftIndex;
  private long sequence;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("raftlog-jmh-");
    store = RocksLogStore.open(dir);
    applier = new EntryApplier(store, 1000);
    SplittableRandom random = new SplittableRandom(42);
    byte[] value = new byte[100];
    random.nextBytes(value);
    Record record = Record.newBuilder().setValue(ByteString.copyFrom(value)).build();
    // Entries that together go round robin over every stream once.
    int count = (streams + PARTS - 1) / PARTS;
    entries = new ShardEntry[count];
    for (int e = 0; e < count; e++) {
      AppendBatch.Builder b = AppendBatch.newBuilder().setCreateStreams(true);
      for (int p = 0; p < PARTS; p++) {
        String name = String.format("many-%06d", (e * PARTS + p) % streams);
        b.addParts(StreamRecords.newBuilder().setStream(name).addRecords(record));
      }
      entries[e] = ShardEntry.newBuilder().setAppend(b).build();
    }
    // Every stream exists (created by a first round), as after the bench's warm-up.
    for (int e = 0; e < count; e++) {
      applyNext();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    TempDirs.delete(dir);
  }

  @Benchmark
  @OperationsPerInvocation(PARTS)
  public AppendOutcome apply() {
    return applyNext();
  }

  private AppendOutcome applyNext() {
    ShardEntry template = entries[next];
    next = (next + 1) % entries.length;
    ShardEntry entry =
        template.toBuilder()
            .setAppend(
                template.getAppend().toBuilder()
                    .setProducerId(PRODUCER)
                    .setSequence(++sequence)
                    .setAppendTimeMs(System.currentTimeMillis()))
            .build();
    try (StoreBatch batch = store.newBatch()) {
      AppendOutcome outcome = applier.apply(batch, entry, ++raftIndex);
      if (!(outcome instanceof AppendOutcome.Appended)) {
        throw new IllegalStateException("not appended: " + outcome);
      }
      batch.commit(raftIndex);
      return outcome;
    }
  }
}
