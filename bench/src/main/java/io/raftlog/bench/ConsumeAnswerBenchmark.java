package io.raftlog.bench;

import com.google.protobuf.ByteString;
import io.grpc.Drainable;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.service.StoredRecordsMarshaller;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreBatch;
import io.raftlog.storage.StoredRecords;
import java.io.IOException;
import java.io.OutputStream;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The consume answer path after the store read: one page of stored records (1 MiB, as a
 * ConsumeStream response) turned into the bytes gRPC's framer writes. {@code decoded}: the former
 * path, the records decoded into a {@link ConsumeResponse} ({@link StoredRecords#toResponse}) and
 * serialized by gRPC's protobuf marshaller. {@code stored}: the node's path, the stored bytes sent
 * as they are by {@link StoredRecordsMarshaller}. Both drain into a reused buffer, as the framer
 * copies into its own.
 *
 * <p>Units: pages per second; a page is {@code 1 MiB / (recordBytes + ~10)} records.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ConsumeAnswerBenchmark {
  private static final int PAGE_BYTES = 1 << 20;
  private static final String STREAM = "bench";

  @Param({"100", "1024"})
  public int recordBytes;

  private Path dir;
  private StoredRecords page;
  private final MethodDescriptor.Marshaller<ConsumeResponse> generated =
      ProtoUtils.marshaller(ConsumeResponse.getDefaultInstance());
  private final StoredRecordsMarshaller stored = new StoredRecordsMarshaller();
  private final Sink sink = new Sink(2 * PAGE_BYTES);

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    dir = Files.createTempDirectory("raftlog-jmh-");
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      try (StoreBatch batch = store.newBatch()) {
        batch.create(STREAM, System.currentTimeMillis());
        for (int i = 0; i < 2 * PAGE_BYTES / recordBytes; i++) {
          byte[] value = new byte[recordBytes];
          random.nextBytes(value);
          batch.append(
              STREAM,
              Record.newBuilder()
                  .setOffset(batch.nextOffset(STREAM))
                  .setValue(ByteString.copyFrom(value))
                  .setTimestampMs(System.currentTimeMillis())
                  .build());
        }
        batch.commit(1);
      }
      // From offset 1: the page starts inside a chunk and spans several, as most reads do.
      page = store.read(STREAM, 1, Integer.MAX_VALUE, PAGE_BYTES).orElseThrow();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    TempDirs.delete(dir);
  }

  @Benchmark
  public int decoded() throws IOException {
    sink.reset();
    return ((Drainable) generated.stream(page.toResponse())).drainTo(sink);
  }

  @Benchmark
  public int stored() throws IOException {
    sink.reset();
    return ((Drainable) stored.stream(page)).drainTo(sink);
  }

  /** A reused buffer standing in for gRPC's write buffers. */
  private static final class Sink extends OutputStream {
    private final byte[] buffer;
    private int size;

    Sink(int capacity) {
      buffer = new byte[capacity];
    }

    void reset() {
      size = 0;
    }

    @Override
    public void write(int b) {
      buffer[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      System.arraycopy(b, off, buffer, size, len);
      size += len;
    }
  }
}
