package io.raftlog.cli;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.client.Producer;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogClientBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code raftlog bench produce}: throughput and latency of appends, like Kafka's perf tool. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Appends records and reports throughput and latency.",
      "",
      "Sends --records records of --size random bytes through the client's batching producer,"
          + " as fast as it goes or at --rate records/sec, and prints one line like Kafka's"
          + " producer perf tool:",
      "",
      "  N records sent, R records/sec (T MB/sec), A ms avg latency, M ms max latency,",
      "  P ms 50th, P ms 95th, P ms 99th, P ms 99.9th.",
      "",
      "A record's latency runs from its send call (with --rate, from the time it was due) to"
          + " the acknowledgement of its offset. MB/sec counts values only (1 MB = 2^20 bytes)."
          + " The records stay in the log.",
      "",
      "The records go to --stream (default: the stream default), or round robin over --streams N"
          + " streams named --stream-prefix and a six-digit index (bench-000000, bench-000001, ...),"
          + " which the producer batches per shard, many streams to a batch; or over"
          + " --spread-shards N streams, each in a different shard (named --stream-prefix and a"
          + " number), their leaders taken in turn from the nodes, as GetCluster says before the run.",
      "",
      "--slow-records FILE writes the --slow-count slowest records to FILE, tab-separated: when"
          + " each was due, sent and acknowledged, its stream, shard and leader, and the records of"
          + " its shard acknowledged together with it (its batch)."
    })
public final class BenchProduceCommand implements Callable<Integer> {
  /** Payloads are drawn from a pool of at most this many bytes (and 64 records). */
  private static final long POOL_BYTES = 16 << 20;

  /** {@code --slow-records} keeps 24 bytes per record: at most this many. */
  private static final long MAX_TRACED = 20_000_000;

  private final CliContext context;

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Option(
      names = "--records",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Records to send (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(
      names = "--size",
      paramLabel = "BYTES",
      defaultValue = "1024",
      description = "Bytes per record value (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--batch-bytes",
      paramLabel = "BYTES",
      description = "The producer closes a batch at this size (client default: 256 KiB).")
  Integer batchBytes;

  @Option(
      names = "--linger-ms",
      paramLabel = "MS",
      description = "How long a batch waits for more records (client default: 5).")
  Long lingerMs;

  @Option(
      names = "--in-flight",
      paramLabel = "N",
      description = "Batches in flight at once, 1 to 5 (client default: 5).")
  Integer inFlight;

  @Option(
      names = "--stream",
      paramLabel = "NAME",
      defaultValue = "default",
      description = "The stream to append to (default: ${DEFAULT-VALUE}).")
  String stream;

  @Option(
      names = "--streams",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Append round robin over N streams named --stream-prefix + index instead of --stream.")
  int streams;

  @Option(
      names = "--stream-prefix",
      paramLabel = "PREFIX",
      defaultValue = "bench-",
      description = "Prefix of the --streams names (default: ${DEFAULT-VALUE}).")
  String streamPrefix;

  @Option(
      names = "--spread-shards",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Append round robin over N streams in N different shards, leaders on the nodes in turn.")
  int spreadShards;

  @Option(
      names = "--slow-records",
      paramLabel = "FILE",
      description = "Write the slowest records' timeline to FILE (tab-separated).")
  Path slowRecordsFile;

  @Option(
      names = "--slow-count",
      paramLabel = "N",
      defaultValue = "200",
      description = "How many records --slow-records writes (default: ${DEFAULT-VALUE}).")
  int slowCount;

  @Option(
      names = "--rate",
      paramLabel = "R",
      defaultValue = "0",
      description = "Target records/sec, for latency at a fixed load; 0: unlimited (default).")
  double rate;

  public BenchProduceCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    validate();
    RaftlogClientBuilder builder = server.builder();
    if (batchBytes != null) {
      builder.batchBytes(batchBytes);
    }
    if (lingerMs != null) {
      builder.linger(Duration.ofMillis(lingerMs));
    }
    if (inFlight != null) {
      builder.maxInFlight(inFlight);
    }
    Record[] pool = payloads(size);
    String[] names;
    ShardLayout layout = null;
    LatencyReport latency = new LatencyReport();
    AtomicLong acked = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    SlowRecords slow = null;
    PrintWriter out = spec.commandLine().getOut();
    long start;
    long elapsed;
    try (RaftlogClient client = builder.build();
        Progress progress =
            Progress.start(
                context.interactive(),
                spec.commandLine().getErr(),
                "bench produce",
                records,
                acked::get,
                () -> acked.get() * size)) {
      if (spreadShards > 0 || slowRecordsFile != null) {
        layout = new ShardLayout(client.cluster());
      }
      if (spreadShards > 0) {
        names = spread(layout);
      } else {
        names = streams > 0 ? BenchStreams.names(streamPrefix, streams) : new String[] {stream};
      }
      Producer producer = client.producer();
      start = System.nanoTime();
      if (slowRecordsFile != null) {
        slow = new SlowRecords((int) records, start, System.currentTimeMillis());
      }
      double nanosPerRecord = rate > 0 ? 1e9 / rate : 0;
      for (long i = 0; i < records && failure.get() == null; i++) {
        long t0;
        if (rate > 0) {
          t0 = start + (long) (i * nanosPerRecord);
          for (long wait = t0 - System.nanoTime(); wait > 0; wait = t0 - System.nanoTime()) {
            LockSupport.parkNanos(wait);
          }
        } else {
          t0 = System.nanoTime();
        }
        CompletableFuture<Long> offset;
        try {
          offset = producer.send(names[(int) (i % names.length)], pool[(int) (i % pool.length)]);
        } catch (RuntimeException e) {
          failure.compareAndSet(null, e);
          break;
        }
        BenchStreams.whenAcknowledged(offset, t0, latency, acked, failure);
        if (slow != null) {
          slow.sent((int) i, t0, System.nanoTime());
          int record = (int) i;
          SlowRecords timeline = slow;
          offset.thenRun(() -> timeline.acked(record, System.nanoTime()));
        }
      }
      producer.flush();
      elapsed = System.nanoTime() - start;
    }
    long n = acked.get();
    double secs = Math.max(elapsed, 1) / 1e9;
    out.println(
        String.format(
            Locale.ROOT,
            "%d records sent, %.1f records/sec (%.2f MB/sec), %s.",
            n,
            n / secs,
            (double) n * size / secs / (1 << 20),
            latency.summary("latency")));
    if (slow != null) {
      slow.write(slowRecordsFile, slowCount, names, layout);
    }
    Failures.flush(out);
    Throwable t = failure.get();
    if (t instanceof Exception e) {
      throw e;
    } else if (t != null) {
      throw (Error) t;
    }
    return 0;
  }

  private void validate() {
    if (records < 1) {
      throw new ParameterException(spec.commandLine(), "--records must be >= 1");
    }
    if (size < 0) {
      throw new ParameterException(spec.commandLine(), "--size must be >= 0");
    }
    if (batchBytes != null && batchBytes < 1) {
      throw new ParameterException(spec.commandLine(), "--batch-bytes must be >= 1");
    }
    if (lingerMs != null && lingerMs < 0) {
      throw new ParameterException(spec.commandLine(), "--linger-ms must be >= 0");
    }
    if (inFlight != null && (inFlight < 1 || inFlight > 5)) {
      throw new ParameterException(spec.commandLine(), "--in-flight must be 1 to 5");
    }
    if (streams < 0) {
      throw new ParameterException(spec.commandLine(), "--streams must be >= 0");
    }
    if (spreadShards < 0 || (spreadShards > 0 && streams > 0)) {
      throw new ParameterException(
          spec.commandLine(), "--spread-shards must be >= 0 and not given with --streams");
    }
    if (slowRecordsFile != null && (records > MAX_TRACED || slowCount < 1)) {
      throw new ParameterException(
          spec.commandLine(),
          "--slow-records traces at most " + MAX_TRACED + " records, --slow-count must be >= 1");
    }
    if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
      throw new ParameterException(spec.commandLine(), "--rate must be >= 0");
    }
  }

  private String[] spread(ShardLayout layout) {
    try {
      return layout.spread(streamPrefix, spreadShards);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** Records of random (incompressible) bytes, built before the clock starts. */
  static Record[] payloads(int size) {
    int count = (int) Math.max(1, Math.min(64, POOL_BYTES / Math.max(size, 1)));
    SplittableRandom random = new SplittableRandom(size);
    Record[] pool = new Record[count];
    byte[] value = new byte[size];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < size; j++) {
        value[j] = (byte) random.nextInt(256);
      }
      pool[i] = Record.newBuilder().setValue(ByteString.copyFrom(value)).build();
    }
    return pool;
  }
}
