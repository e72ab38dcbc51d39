package io.raftlog.cli;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.client.RaftlogClient;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code raftlog bench consume}: read throughput, one consume call after the other. */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Reads records and reports throughput.",
      "",
      "Reads --records records from --from in consume calls of up to --page records, one after"
          + " the other, and prints one line:",
      "",
      "  N records read, R records/sec (T MB/sec), P pages, A ms avg page latency,",
      "  M ms max page latency, P ms 50th, P ms 95th, P ms 99th, P ms 99.9th.",
      "",
      "MB/sec counts values only (1 MB = 2^20 bytes); the percentiles are of the consume calls."
          + " When the log ends first, it says so on standard error and reports what it read."
    })
public final class BenchConsumeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Option(
      names = "--records",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Records to read (default: ${DEFAULT-VALUE}).")
  long records;

  @Option(
      names = "--from",
      paramLabel = "OFFSET",
      defaultValue = "0",
      description = "The first offset to read (default: ${DEFAULT-VALUE}).")
  long from;

  @Option(
      names = "--page",
      paramLabel = "N",
      defaultValue = "10000",
      description = "Records per consume call, at most 10000 (default: ${DEFAULT-VALUE}).")
  int page;

  @Option(
      names = "--local",
      description =
          "Read what nodes have applied, without the leader round trip (default: linearizable).")
  boolean local;

  @Override
  public Integer call() {
    if (records < 1) {
      throw new ParameterException(spec.commandLine(), "--records must be >= 1");
    }
    if (from < 0) {
      throw new ParameterException(spec.commandLine(), "--from must be >= 0");
    }
    if (page < 1 || page > ConsumeCommand.PAGE) {
      throw new ParameterException(spec.commandLine(), "--page must be 1 to 10000");
    }
    Consistency consistency = local ? Consistency.LOCAL : Consistency.LINEARIZABLE;
    LatencyReport latency = new LatencyReport();
    AtomicLong read = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    long pages = 0;
    long end = -1;
    long elapsed;
    try (RaftlogClient client = server.connect();
        Progress progress =
            Progress.start(
                RaftlogCli.root(spec).interactive,
                spec.commandLine().getErr(),
                "bench consume",
                records,
                read::get,
                bytes::get)) {
      long start = System.nanoTime();
      long position = from;
      while (read.get() < records) {
        int want = (int) Math.min(page, records - read.get());
        long t0 = System.nanoTime();
        ConsumeResponse answer = client.consume(position, want, consistency);
        latency.record(System.nanoTime() - t0);
        pages++;
        end = answer.getNextOffset();
        if (answer.getRecordsCount() == 0) {
          break;
        }
        long b = 0;
        for (Record r : answer.getRecordsList()) {
          b += r.getValue().size();
        }
        bytes.addAndGet(b);
        read.addAndGet(answer.getRecordsCount());
        position += answer.getRecordsCount();
      }
      elapsed = System.nanoTime() - start;
    }
    long n = read.get();
    if (n < records) {
      spec.commandLine()
          .getErr()
          .printf(
              "raftlog: the log ends at offset %d: read %d of the %d records asked for%n",
              end, n, records);
    }
    double secs = Math.max(elapsed, 1) / 1e9;
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        String.format(
            Locale.ROOT,
            "%d records read, %.1f records/sec (%.2f MB/sec), %d pages, %s.",
            n,
            n / secs,
            bytes.get() / secs / (1 << 20),
            pages,
            latency.summary("page latency")));
    Failures.flush(out);
    return 0;
  }
}
