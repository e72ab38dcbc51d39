package io.raftlog.cli;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.client.Producer;
import io.raftlog.client.RaftlogClient;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code raftlog bench lookup}: creates many streams, then reads random ones back by name at a
 * fixed rate.
 */
@Command(
    name = "lookup",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Creates many streams, then reads random ones back by name at a fixed rate.",
      "",
      "Create: appends one record of --size random bytes to each of --streams streams named"
          + " --stream-prefix and a six-digit index (lookup-000000, ...), through the batching"
          + " producer (many streams to a batch), and prints",
      "",
      "  N streams created, R streams/sec (T MB/sec), A ms avg latency, ...",
      "",
      "Lookup: reads offset 0 of --reads streams drawn at random from them, at --rate reads/sec"
          + " with at most --threads calls at once, and prints",
      "",
      "  N lookups at R/sec, M missing, A ms avg latency, M ms max latency, P ms 50th, ...",
      "",
      "A lookup's latency runs from the time it was due to its answer, so a stall counts against"
          + " every lookup queued behind it. --skip-create reads streams an earlier run created."
    })
public final class BenchLookupCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Option(
      names = "--streams",
      paramLabel = "N",
      defaultValue = "1000000",
      description = "Streams to create, one record each (default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(
      names = "--stream-prefix",
      paramLabel = "PREFIX",
      defaultValue = "lookup-",
      description = "Prefix of the stream names (default: ${DEFAULT-VALUE}).")
  String streamPrefix;

  @Option(
      names = "--size",
      paramLabel = "BYTES",
      defaultValue = "100",
      description = "Bytes of each stream's record (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--reads",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Lookups to make; 0: create only (default: ${DEFAULT-VALUE}).")
  int reads;

  @Option(
      names = "--rate",
      paramLabel = "R",
      defaultValue = "1000",
      description = "Lookups per second (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "64",
      description = "Lookups in flight at most (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--skip-create", description = "Do not create: the streams exist already.")
  boolean skipCreate;

  @Option(
      names = "--local",
      description = "Read what nodes have applied, without the leader round trip.")
  boolean local;

  public BenchLookupCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    validate();
    String[] names = BenchStreams.names(streamPrefix, streams);
    PrintWriter out = spec.commandLine().getOut();
    try (RaftlogClient client = server.connect()) {
      if (!skipCreate) {
        create(client, names, out);
      }
      if (reads > 0) {
        lookup(client, names, out);
      }
    }
    Failures.flush(out);
    return 0;
  }

  private void create(RaftlogClient client, String[] names, PrintWriter out) throws Exception {
    Record[] pool = BenchProduceCommand.payloads(size);
    LatencyReport latency = new LatencyReport();
    AtomicLong acked = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long elapsed;
    try (Progress progress =
        Progress.start(
            context.interactive(),
            spec.commandLine().getErr(),
            "bench lookup: create",
            names.length,
            acked::get,
            () -> acked.get() * size)) {
      Producer producer = client.producer();
      long start = System.nanoTime();
      for (int i = 0; i < names.length && failure.get() == null; i++) {
        long t0 = System.nanoTime();
        CompletableFuture<Long> offset = producer.send(names[i], pool[i % pool.length]);
        BenchStreams.whenAcknowledged(offset, t0, latency, acked, failure);
      }
      producer.flush();
      elapsed = System.nanoTime() - start;
    }
    rethrow(failure.get());
    long n = acked.get();
    double secs = Math.max(elapsed, 1) / 1e9;
    out.println(
        String.format(
            Locale.ROOT,
            "%d streams created, %.1f streams/sec (%.2f MB/sec), %s.",
            n,
            n / secs,
            (double) n * size / secs / (1 << 20),
            latency.summary("latency")));
    out.flush();
  }

  private void lookup(RaftlogClient client, String[] names, PrintWriter out) throws Exception {
    Consistency consistency = local ? Consistency.LOCAL : Consistency.LINEARIZABLE;
    SplittableRandom random = new SplittableRandom(42);
    LatencyReport latency = new LatencyReport();
    AtomicLong done = new AtomicLong();
    AtomicLong missing = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long elapsed;
    try (Progress progress =
        Progress.start(
            context.interactive(),
            spec.commandLine().getErr(),
            "bench lookup: read",
            reads,
            done::get,
            () -> done.get() * size)) {
      double nanosPerRead = 1e9 / rate;
      long start = System.nanoTime();
      for (int i = 0; i < reads && failure.get() == null; i++) {
        long due = start + (long) (i * nanosPerRead);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
        String name = names[random.nextInt(names.length)];
        pool.execute(
            () -> {
              try {
                ConsumeResponse r = client.consume(name, 0, 1, consistency);
                latency.record(System.nanoTime() - due);
                if (r.getRecordsCount() != 1) {
                  missing.incrementAndGet();
                }
              } catch (RuntimeException e) {
                latency.record(System.nanoTime() - due);
                missing.incrementAndGet();
                failure.compareAndSet(null, e);
              } finally {
                done.incrementAndGet();
              }
            });
      }
      pool.shutdown();
      if (!pool.awaitTermination(5, TimeUnit.MINUTES)) {
        pool.shutdownNow();
      }
      elapsed = System.nanoTime() - start;
    }
    long n = done.get();
    out.println(
        String.format(
            Locale.ROOT,
            "%d lookups at %.1f/sec of %d streams, %d missing, %s.",
            n,
            n / (Math.max(elapsed, 1) / 1e9),
            names.length,
            missing.get(),
            latency.summary("latency")));
    out.flush();
    rethrow(failure.get());
  }

  private static void rethrow(Throwable t) throws Exception {
    if (t instanceof Exception e) {
      throw e;
    } else if (t != null) {
      throw (Error) t;
    }
  }

  private void validate() {
    if (streams < 1) {
      throw new ParameterException(spec.commandLine(), "--streams must be >= 1");
    }
    if (size < 0) {
      throw new ParameterException(spec.commandLine(), "--size must be >= 0");
    }
    if (reads < 0) {
      throw new ParameterException(spec.commandLine(), "--reads must be >= 0");
    }
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new ParameterException(spec.commandLine(), "--rate must be > 0");
    }
    if (threads < 1 || threads > 1024) {
      throw new ParameterException(spec.commandLine(), "--threads must be 1 to 1024");
    }
  }
}
