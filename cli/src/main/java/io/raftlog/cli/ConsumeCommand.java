package io.raftlog.cli;

import io.grpc.Status;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.api.v1.Record;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogException;
import io.raftlog.client.SubscribeOptions;
import io.raftlog.client.Subscription;
import io.raftlog.otlp.LogFilter;
import io.raftlog.otlp.Severity;
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

/**
 * {@code raftlog consume [--stream NAME] --from START | --consumer NAME}: prints records of a
 * stream, and for a named consumer commits what it printed.
 */
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
      "With --consumer NAME it starts from the consumer's committed offset (from --from, default"
          + " earliest, if it has none) and commits the offset after each record it has printed,"
          + " also on Ctrl-C or SIGTERM: run it again with the same --consumer and it goes on"
          + " after the last record printed, with no gap and no repeat.",
      "",
      "Formats:",
      "  text  the value as UTF-8",
      "  json  {\"offset\":7,\"timestamp_ms\":1700000000000,\"key\":null,\"value\":\"v\"}",
      "        (a key or value that is not valid UTF-8 comes in base64 as key_base64 or",
      "        value_base64 instead; \"headers\":[{\"key\":..,\"value\":..}] only if any)",
      "        (a record that keeps a log, OTLP or JSON, has \"log\":{...} in place of",
      "        its value: time, severity, service, body, attributes, resource, ids)",
      "  hex   the offset, a tab, the value in hex",
      "  log   a log as one line: time (UTC), level, service, body, attributes:",
      "        2026-12-05T19:00:00.123Z WARN  checkout card declined order=42",
      "        (a record that keeps no structured log is shown as a text line)",
      "",
      "--severity and --where keep only some logs, with every format and --follow:"
          + " a record they leave out is read all the same (a named consumer commits past it).",
      "A log whose value cannot be read as its content-type says is skipped with one line on"
          + " stderr."
    })
public final class ConsumeCommand implements Callable<Integer> {
  /** The most records one consume call returns. */
  static final int PAGE = WireLimits.MAX_RECORDS;

  private static final Duration POLL = Duration.ofMillis(500);

  /** What a read below the stream's first offset does (Kafka's auto.offset.reset). */
  enum Reset {
    FAIL(OffsetReset.OFFSET_RESET_FAIL),
    EARLIEST(OffsetReset.OFFSET_RESET_EARLIEST),
    LATEST(OffsetReset.OFFSET_RESET_LATEST);

    final OffsetReset policy;

    Reset(OffsetReset policy) {
      this.policy = policy;
    }
  }

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
      paramLabel = "START",
      converter = StartConverter.class,
      description =
          "Where to start: earliest (the first record the stream still holds), latest (only"
              + " records appended from now on), an offset (0 is the first record ever"
              + " appended), or a time: the first record at or after 2026-12-05T10:00:00Z"
              + " (ISO-8601). Required without --consumer.")
  SubscribeOptions from;

  @Option(
      names = "--reset",
      paramLabel = "POLICY",
      defaultValue = "fail",
      description =
          "Below the stream's first offset (records removed by retention or a truncation, also"
              + " while following): fail (OUT_OF_RANGE, exit code 4), earliest (go on from the"
              + " first record held) or latest (from the next record appended). Default:"
              + " ${DEFAULT-VALUE}.")
  Reset reset;

  @Option(
      names = "--consumer",
      paramLabel = "NAME",
      converter = ConsumerNameConverter.class,
      description =
          "Read as this named consumer: start from its committed offset and commit what is"
              + " printed ('raftlog consumers list STREAM' shows them).")
  String consumer;

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
      description = "text, json, hex or log (default: ${DEFAULT-VALUE}); see above.")
  RecordFormat format;

  @Option(
      names = "--severity",
      paramLabel = "LEVEL",
      converter = SeverityConverter.class,
      description =
          "Only logs at LEVEL or above (TRACE, DEBUG, INFO, WARN, ERROR, FATAL). A log with no"
              + " level is kept; a text line's level is the first level word in capitals in its"
              + " first 128 characters.")
  Severity severity;

  @Option(
      names = "--where",
      paramLabel = "KEY=VALUE",
      description =
          "Only logs whose attribute KEY is VALUE (else the resource's: service=NAME is"
              + " service.name); repeatable, all must hold.")
  List<String> where = List.of();

  @Option(
      names = "--local",
      description =
          "Read what nodes have applied, without a round trip to the leader: faster, but a"
              + " lagging node may not have the newest records (default: linearizable reads).")
  boolean local;

  @Override
  public Integer call() {
    if (from == null && consumer == null) {
      throw new ParameterException(
          spec.commandLine(), "give --from (" + StartConverter.ACCEPTED + "), or --consumer");
    }
    if (max != null && max < 0) {
      throw new ParameterException(spec.commandLine(), "--max must be >= 0, got " + max);
    }
    long limit = max == null ? Long.MAX_VALUE : max;
    RecordPrinter printer;
    try {
      printer =
          new RecordPrinter(
              format,
              severity == null && where.isEmpty() ? LogFilter.ALL : new LogFilter(severity, where),
              spec.commandLine().getOut(),
              spec.commandLine().getErr());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--where: " + e.getMessage());
    }
    SubscribeOptions how =
        (from == null ? SubscribeOptions.fromEarliest() : from)
            .withReset(reset.policy)
            .withConsistency(local ? Consistency.LOCAL : Consistency.LINEARIZABLE);
    try (RaftlogClient client = server.connect()) {
      PrintedPosition printed = PrintedPosition.start(client, stream, consumer, how);
      if (consumer == null) {
        read(client, printer, printed, how, limit);
        return 0;
      }
      try (ShutdownInterrupt stop = new ShutdownInterrupt(server.deadline.plusSeconds(5))) {
        return readAndCommit(client, printer, printed, how, limit);
      }
    }
  }

  /**
   * Reads as a named consumer, then commits what was printed, also when interrupted (Ctrl-C,
   * SIGTERM: exit code 130) or when the read failed.
   */
  private int readAndCommit(
      RaftlogClient client,
      RecordPrinter printer,
      PrintedPosition printed,
      SubscribeOptions how,
      long limit) {
    RuntimeException failure = null;
    try {
      read(client, printer, printed, how, limit);
    } catch (RuntimeException e) {
      failure = e;
    }
    // An interrupt ends a blocked poll or commit with CANCELLED and leaves the flag set; clear it
    // so the last commit's call can run.
    boolean interrupted = Thread.interrupted();
    if (interrupted && failure instanceof RaftlogException r && r.code() == Status.Code.CANCELLED) {
      failure = null;
    }
    try {
      printed.commit();
    } catch (RuntimeException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    if (interrupted) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("raftlog: interrupted; " + printed.describe());
      err.flush();
      return Failures.INTERRUPTED;
    }
    return 0;
  }

  private void read(
      RaftlogClient client,
      RecordPrinter printer,
      PrintedPosition printed,
      SubscribeOptions how,
      long limit) {
    PrintWriter out = spec.commandLine().getOut();
    if (follow) {
      follow(client, printer, printed, how, limit, out);
    } else {
      page(client, printer, printed, how, limit, out);
    }
  }

  /**
   * Pages through consume() up to the end the first answer reports, or {@code limit} records
   * printed. A page asks for no more records than are still to print, so every record of it is
   * read, and the position after it is what was read.
   */
  private void page(
      RaftlogClient client,
      RecordPrinter printer,
      PrintedPosition printed,
      SubscribeOptions how,
      long limit,
      PrintWriter out) {
    long count = 0;
    long end = -1;
    while (count < limit && (end < 0 || printed.position() < end)) {
      int want = (int) Math.min(PAGE, limit - count);
      ConsumeResponse page =
          client.consume(stream, printed.position(), want, how.consistency(), how.reset());
      if (end < 0) {
        end = page.getNextOffset();
      }
      List<Record> records = page.getRecordsList();
      if (records.isEmpty()) {
        // The end (or, with --local, a node that has not applied that far yet); with --reset
        // latest below the first offset, the stream's next offset is where reading goes on.
        if (page.getNextOffset() > printed.position()) {
          printed.printed(page.getNextOffset());
        }
        break;
      }
      for (Record r : records) {
        count += printer.print(r) ? 1 : 0;
      }
      Failures.flush(out);
      printed.printed(records.get(records.size() - 1).getOffset() + 1);
    }
  }

  /** Tails the log with a subscription until {@code limit} records are printed. */
  private void follow(
      RaftlogClient client,
      RecordPrinter printer,
      PrintedPosition printed,
      SubscribeOptions how,
      long limit,
      PrintWriter out) {
    long count = 0;
    SubscribeOptions tail =
        SubscribeOptions.fromOffset(printed.position())
            .withReset(how.reset())
            .withConsistency(how.consistency());
    try (Subscription sub = client.subscribe(stream, tail)) {
      while (count < limit) {
        List<Record> records = sub.poll(POLL, (int) Math.min(Integer.MAX_VALUE, limit - count));
        for (Record r : records) {
          count += printer.print(r) ? 1 : 0;
        }
        Failures.flush(out);
        if (!records.isEmpty()) {
          printed.printed(sub.position());
        }
      }
    }
  }
}
