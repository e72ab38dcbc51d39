package io.raftlog.cli;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.Record;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.Subscription;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code raftlog bench consume}: read throughput of one subscription, the way a consumer reads the
 * log back.
 */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Reads records and reports throughput.",
      "",
      "Reads --records records from --from on one ConsumeStream (the client's subscription, which"
          + " keeps four responses on their way, as a consumer's fetch-ahead does), and prints one"
          + " line:",
      "",
      "  N records read, R records/sec (T MB/sec), P responses, first after F ms.",
      "",
      "MB/sec counts values only (1 MB = 2^20 bytes). When the log ends first (nothing arrives"
          + " for --idle), it says so on standard error and reports what it read."
    })
public final class BenchConsumeCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Option(
      names = "--records",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Records to read (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(
      names = "--stream",
      paramLabel = "NAME",
      defaultValue = "default",
      description = "The stream to read (default: ${DEFAULT-VALUE}).")
  String stream;

  @Option(
      names = "--from",
      paramLabel = "OFFSET",
      defaultValue = "0",
      description = "The first offset to read (default: ${DEFAULT-VALUE}).")
  long from;

  @Option(
      names = "--idle",
      paramLabel = "DURATION",
      defaultValue = "2s",
      converter = Units.PositiveDurationConverter.class,
      description = "Stop when no record arrives for this long (default: ${DEFAULT-VALUE}).")
  Duration idle;

  @Option(
      names = "--local",
      description =
          "Read what nodes have applied, without the leader round trip (default: linearizable).")
  boolean local;

  public BenchConsumeCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (records < 1) {
      throw new ParameterException(spec.commandLine(), "--records must be >= 1");
    }
    if (from < 0) {
      throw new ParameterException(spec.commandLine(), "--from must be >= 0");
    }
    Consistency consistency = local ? Consistency.LOCAL : Consistency.LINEARIZABLE;
    AtomicLong read = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    long responses = 0;
    long firstNanos = -1;
    long elapsed;
    try (RaftlogClient client = server.connect();
        Progress progress =
            Progress.start(
                context.interactive(),
                spec.commandLine().getErr(),
                "bench consume",
                records,
                read::get,
                bytes::get);
        Subscription subscription = client.subscribe(stream, from, consistency)) {
      long start = System.nanoTime();
      long lastArrival = start;
      while (read.get() < records) {
        List<Record> got = subscription.poll(idle);
        if (got.isEmpty()) {
          break;
        }
        lastArrival = System.nanoTime();
        if (firstNanos < 0) {
          firstNanos = lastArrival - start;
        }
        responses++;
        int take = (int) Math.min(got.size(), records - read.get());
        long b = 0;
        for (int i = 0; i < take; i++) {
          b += got.get(i).getValue().size();
        }
        bytes.addAndGet(b);
        read.addAndGet(take);
      }
      elapsed = lastArrival - start;
    }
    long n = read.get();
    if (n < records) {
      spec.commandLine()
          .getErr()
          .printf(
              "raftlog: nothing more came for %s after offset %d: read %d of the %d records asked"
                  + " for%n",
              idle, from + n, n, records);
    }
    double secs = Math.max(elapsed, 1) / 1e9;
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        String.format(
            Locale.ROOT,
            "%d records read, %.1f records/sec (%.2f MB/sec), %d responses, first after %.1f ms.",
            n,
            n / secs,
            bytes.get() / secs / (1 << 20),
            responses,
            Math.max(firstNanos, 0) / 1e6));
    Failures.flush(out);
    return 0;
  }
}
