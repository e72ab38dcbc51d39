package io.raftlog.bench;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreBatch;
import io.raftlog.storage.StoredRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * The storage side of the server's append and consume paths, driven the way the server drives it.
 *
 * <p>{@code append}: one Raft entry holding one ~256 KiB client batch ({@code 256 KiB /
 * recordBytes} records) to one stream of a shard store, applied as {@code LogStateMachine} does:
 * each record rebuilt with its offset, then one commit. {@code read}: one consume page (at most
 * 10,000 records or 1 MiB) from a random offset, turned into the {@link ConsumeResponse} that gRPC
 * then serializes.
 *
 * <p>Units: the primary score is invocations per second, i.e. batches/s for {@code append} and
 * pages/s for {@code read}. The secondary results {@code append:records} and {@code read:records}
 * are the same runs counted in records/s. {@code @OperationsPerInvocation} cannot give records/s
 * here: it takes a constant, and the records per batch (or per page) depend on {@code recordBytes},
 * so an {@link AuxCounters} counter counts them instead.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class RocksLogStoreBenchmark {
  private static final int BATCH_BYTES = 256 << 10;
  private static final int FILL_RECORDS = 200_000;
  private static final int PAGE_RECORDS = 10_000;
  private static final int PAGE_BYTES = 1 << 20;
  private static final String STREAM = "bench";

  @Param({"100", "1024"})
  public int recordBytes;

  private Path dir;
  private RocksLogStore store;
  private List<Record> clientBatch;
  private long filled;
  private long raftIndex;

  /** Records per second, next to the per-invocation score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Records {
    public long records;

    @Setup(Level.Iteration)
    public void reset() {
      records = 0;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    // Random values: a compressible payload would flatter any layer that compresses.
    SplittableRandom random = new SplittableRandom(42);
    clientBatch = new ArrayList<>();
    for (int i = 0; i < BATCH_BYTES / recordBytes; i++) {
      byte[] value = new byte[recordBytes];
      random.nextBytes(value);
      clientBatch.add(
          Record.newBuilder()
              .setValue(ByteString.copyFrom(value))
              .setTimestampMs(System.currentTimeMillis())
              .build());
    }
    // Both benchmarks start from a filled store: reads need the data, and a node appends to a
    // non-empty log.
    dir = Files.createTempDirectory("raftlog-jmh-");
    store = RocksLogStore.open(dir);
    while (store.nextOffset(STREAM) < FILL_RECORDS) {
      appendBatch();
    }
    filled = store.nextOffset(STREAM);
    // Closing flushes the memtable (the store writes no WAL), so pages come from blob files, as on
    // a
    // node that has been running for a while, rather than from the memtable.
    store.close();
    store = RocksLogStore.open(dir);
    if (store.nextOffset(STREAM) != filled) {
      throw new IllegalStateException(
          "reopened store holds " + store.nextOffset(STREAM) + " records");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    TempDirs.delete(dir);
  }

  @Benchmark
  public long append(Records counter) {
    appendBatch();
    counter.records += clientBatch.size();
    return store.nextOffset(STREAM);
  }

  @Benchmark
  public ConsumeResponse read(Records counter) {
    // Only within the filled part, so every page is a full one.
    long offset = ThreadLocalRandom.current().nextLong(filled - PAGE_RECORDS);
    StoredRecords page = store.read(STREAM, offset, PAGE_RECORDS, PAGE_BYTES).orElseThrow();
    counter.records += page.count();
    return page.toResponse();
  }

  private void appendBatch() {
    try (StoreBatch batch = store.newBatch()) {
      if (batch.stream(STREAM).isEmpty()) {
        batch.create(STREAM, System.currentTimeMillis());
      }
      for (Record r : clientBatch) {
        batch.append(STREAM, r.toBuilder().setOffset(batch.nextOffset(STREAM)).build());
      }
      batch.commit(++raftIndex);
    }
  }
}
