package io.raftlog.cli;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.Subscription;
import io.raftlog.wire.StreamNames;
import io.raftlog.wire.WireLimits;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code raftlog consume [--stream NAME] --from N}: prints records of a stream. */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Prints records of a stream (--stream, default: the stream 'default'), one per line.",
      "",
      "Prints the records from --from up to the end the stream has when the command starts, or,"
          + " with --follow, also every record appended later, as it commits, until Ctrl-C or"
          + " --max records.",
      "",
      "Formats:",
      "  text  the value as UTF-8",
      "  json  {\"offset\":7,\"timestamp_ms\":1700000000000,\"key\":null,\"value\":\"v\"}",
      "        (a key or value that is not valid UTF-8 comes in base64 as key_base64 or",
      "        value_base64 instead; \"headers\":[{\"key\":..,\"value\":..}] only if any)",
      "  hex   the offset, a tab, the value in hex"
    })
public final class ConsumeCommand implements Callable<Integer> {
  /** The most records one consume call returns. */
  static final int PAGE = WireLimits.MAX_RECORDS;

  private static final Duration POLL = Duration.ofMillis(500);

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Option(
      names = "--stream",
      paramLabel = "NAME",
      defaultValue = StreamNames.DEFAULT,
      converter = StreamNameConverter.class,
      description = "The stream to read (default: ${DEFAULT-VALUE}).")
  String stream;

  @Option(
      names = {"-f", "--from"},
      required = true,
      paramLabel = "OFFSET",
      description = "The first offset to print (0 is the first record of the stream).")
  long from;

  @Option(
      names = {"-n", "--max"},
      paramLabel = "M",
      description = "Print at most M records (default: all up to the end; forever with --follow).")
  Long max;

  @Option(
      names = "--follow",
      description = "Keep printing new records as they commit (a tail that survives failover).")
  boolean follow;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text, json or hex (default: ${DEFAULT-VALUE}); see above.")
  RecordFormat format;

  @Option(
      names = "--local",
      description =
          "Read what nodes have applied, without a round trip to the leader: faster, but a"
              + " lagging node may not have the newest records (default: linearizable reads).")
  boolean local;

  @Override
  public Integer call() {
    if (from < 0) {
      throw new ParameterException(spec.commandLine(), "--from must be >= 0, got " + from);
    }
    if (max != null && max < 0) {
      throw new ParameterException(spec.commandLine(), "--max must be >= 0, got " + max);
    }
    long limit = max == null ? Long.MAX_VALUE : max;
    Consistency consistency = local ? Consistency.LOCAL : Consistency.LINEARIZABLE;
    PrintWriter out = spec.commandLine().getOut();
    try (RaftlogClient client = server.connect()) {
      if (follow) {
        follow(client, consistency, limit, out);
      } else {
        page(client, consistency, limit, out);
      }
    }
    return 0;
  }

  /** Pages through consume() up to the end the first answer reports, or {@code limit} records. */
  private void page(RaftlogClient client, Consistency consistency, long limit, PrintWriter out) {
    long position = from;
    long printed = 0;
    long end = -1;
    while (printed < limit && (end < 0 || position < end)) {
      int want = (int) Math.min(PAGE, limit - printed);
      ConsumeResponse page = client.consume(stream, position, want, consistency);
      if (end < 0) {
        end = page.getNextOffset();
      }
      List<Record> records = page.getRecordsList();
      if (records.isEmpty()) {
        break; // the end (or, with --local, a node that has not applied that far yet)
      }
      for (Record r : records) {
        out.println(format.format(r));
      }
      Failures.flush(out);
      position += records.size();
      printed += records.size();
    }
  }

  /** Tails the log with a subscription until {@code limit} records are printed. */
  private void follow(RaftlogClient client, Consistency consistency, long limit, PrintWriter out) {
    long printed = 0;
    try (Subscription sub = client.subscribe(stream, from, consistency)) {
      while (printed < limit) {
        List<Record> records = sub.poll(POLL);
        for (int i = 0; i < records.size() && printed < limit; i++, printed++) {
          out.println(format.format(records.get(i)));
        }
        Failures.flush(out);
      }
    }
  }
}
