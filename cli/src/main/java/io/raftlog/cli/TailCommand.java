package io.raftlog.cli;

import io.raftlog.cli.tail.Notices;
import io.raftlog.cli.tail.TailOptions;
import io.raftlog.cli.tail.Tailer;
import io.raftlog.client.RaftlogClient;
import io.raftlog.wire.StreamNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code raftlog tail FILE... [--stream NAME]}: follows files into a stream, like a log shipper.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Follows files as they grow and appends each line (or, with --multiline, each multi-line"
          + " event) as one record to a stream, until Ctrl-C or SIGTERM.",
      "",
      "Each file is followed on its own, through rotations (rename, and copy-truncate) and"
          + " restarts: its position is kept in a state file beside it"
          + " (.NAME.to-STREAM.raftlog-tail) or in --state DIR. Records are sent in batches"
          + " through an idempotent producer whose id and sequence are kept with the position:"
          + " every line arrives at least once with no gap, and a batch sent again after a crash"
          + " or a retry is not appended twice.",
      "",
      "While the cluster is down it reads no further than one batch per file, says once that it"
          + " is waiting, and goes on when the cluster is back. Messages go to standard error."
    })
public final class TailCommand implements Callable<Integer> {
  /** Without --deadline: how long a send is retried before the tailer says it is waiting. */
  private static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(5);

  private static final int MAX_BATCH_BYTES = 3 << 20;

  enum From {
    BEGINNING,
    END
  }

  private final CliContext context;

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "The files to follow.")
  List<Path> files;

  @Option(
      names = "--stream",
      paramLabel = "NAME",
      defaultValue = StreamNames.DEFAULT,
      converter = StreamNameConverter.class,
      description =
          "The stream every file's records go to (default: ${DEFAULT-VALUE}); it is created by"
              + " its first write.")
  String stream;

  @Option(
      names = "--from",
      paramLabel = "beginning|end",
      defaultValue = "beginning",
      description =
          "Where a file with no state starts: at its beginning (default), or at its end (after"
              + " its last line break). A file that appears later, or after a rotation, is"
              + " always read from its beginning.")
  From from;

  @Option(
      names = "--multiline",
      paramLabel = "REGEX",
      description =
          "A line in which REGEX finds a match starts a new event; other lines are appended to"
              + " the current event after a line break (a Java stack trace: '^\\d{4}-'). An"
              + " event ends when the next one starts, or when the file stays quiet for"
              + " --multiline-timeout.")
  String multiline;

  @Option(
      names = "--multiline-timeout",
      paramLabel = "DURATION",
      defaultValue = "1s",
      converter = Units.PositiveDurationConverter.class,
      description =
          "How long a file stays quiet before its last event is complete (default: ${DEFAULT-VALUE}).")
  Duration multilineTimeout;

  @Option(
      names = "--max-record-bytes",
      paramLabel = "SIZE",
      defaultValue = "1MiB",
      converter = Units.SizeConverter.class,
      description =
          "Longer lines and events are cut to this, said once per file (default:"
              + " ${DEFAULT-VALUE}, the nodes' default log.max-record-bytes).")
  long maxRecordBytes;

  @Option(
      names = "--batch-bytes",
      paramLabel = "SIZE",
      defaultValue = "1MiB",
      converter = Units.SizeConverter.class,
      description =
          "About how much one batch holds: the most read ahead of each file (default:"
              + " ${DEFAULT-VALUE}, at most 3MiB).")
  long batchBytes;

  @Option(
      names = "--state",
      paramLabel = "DIR",
      description = "Keep the state files in DIR instead of beside each file.")
  Path stateDir;

  @Option(
      names = "--poll",
      paramLabel = "DURATION",
      defaultValue = "200ms",
      converter = Units.PositiveDurationConverter.class,
      description = "How often a file at its end is looked at again (default: ${DEFAULT-VALUE}).")
  Duration poll;

  public TailCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    for (Path f : files) {
      if (Files.isDirectory(f)) {
        throw new ParameterException(spec.commandLine(), f + " is a directory: name files");
      }
    }
    TailOptions options =
        new TailOptions(
            stream,
            from == From.END,
            pattern(),
            multilineTimeout,
            (int) check("--max-record-bytes", maxRecordBytes, 1, 64 << 20),
            (int) check("--batch-bytes", batchBytes, 1, MAX_BATCH_BYTES),
            stateDir(),
            poll);
    Duration deadline =
        spec.commandLine().getParseResult().hasMatchedOption("--deadline")
            ? server.deadline
            : DEFAULT_DEADLINE;
    Notices notices = new Notices(spec.commandLine().getErr());
    try (RaftlogClient client =
            server.builder().deadline(deadline).attemptTimeout(min(deadline)).build();
        ShutdownInterrupt stop = new ShutdownInterrupt(deadline.plusSeconds(2))) {
      new Tailer(files, options, client, notices, deadline.plusSeconds(1)).run();
    }
    return 0;
  }

  private static Duration min(Duration deadline) {
    return deadline.compareTo(Duration.ofSeconds(10)) < 0 ? deadline : Duration.ofSeconds(10);
  }

  private Pattern pattern() {
    if (multiline == null) {
      return null;
    }
    try {
      return Pattern.compile(multiline);
    } catch (PatternSyntaxException e) {
      throw new ParameterException(
          spec.commandLine(), "--multiline '" + multiline + "': " + e.getDescription());
    }
  }

  private Path stateDir() {
    if (stateDir != null && !Files.isDirectory(stateDir)) {
      throw new ParameterException(spec.commandLine(), "--state " + stateDir + ": not a directory");
    }
    return stateDir;
  }

  private long check(String option, long value, long min, long max) {
    if (value < min || value > max) {
      throw new ParameterException(
          spec.commandLine(),
          option + " must be between " + min + " and " + Units.bytes(max) + ", got " + value);
    }
    return value;
  }
}
