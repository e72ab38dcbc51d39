package io.raftlog.cli;

import io.raftlog.logging.ConsoleLogging;
import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code raftlog}: the command-line tool of a raftlog cluster. {@link #main} is the entry point of
 * {@code cli/target/raftlog-cli.jar}, which {@code scripts/raftlog} runs.
 *
 * <p>{@link #commandLine} builds the whole command line for a {@link CliContext} (error handling,
 * exit codes, case-insensitive enum values, the context handed to each command that takes one), so
 * tests run it exactly as {@link #main} does, with their own stdin and environment.
 */
@Command(
    name = "raftlog",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Produces to, consumes from and manages the streams of a raftlog cluster.",
    subcommands = {
      ProduceCommand.class,
      ConsumeCommand.class,
      TailCommand.class,
      StreamsCommand.class,
      ConsumersCommand.class,
      ClusterCommand.class,
      NodesCommand.class,
      ShardsCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  raftlog produce --stream a hello world",
      "  seq 1000 | raftlog produce --stream b --key numbers > offsets.txt",
      "  raftlog consume --stream a --from 0 --max 10 --format json",
      "  raftlog consume --stream b --from 0 --follow",
      "  raftlog tail /var/log/app.log --stream logs.app --multiline '^\\d{4}-'",
      "  raftlog produce --stream a --expected-offset 2 next",
      "  raftlog streams create orders --setting owner=shop",
      "  raftlog streams list",
      "  raftlog streams describe a",
      "  raftlog streams delete orders",
      "  raftlog streams create logs --retention-age 7d --retention-bytes 20MB",
      "  raftlog streams update logs --retention-bytes 1GiB",
      "  raftlog streams truncate logs --before 1000",
      "  raftlog consume --stream logs --consumer audit --follow",
      "  raftlog consume --stream logs --from 2026-12-05T10:00:00Z --max 10",
      "  raftlog consumers list logs",
      "  raftlog cluster",
      "  raftlog nodes list",
      "  raftlog nodes drain 4",
      "  raftlog nodes remove 4",
      "  raftlog shards list",
      "  raftlog shards move 2 --from 1 --to 4",
      "  raftlog shards transfer-leader 2 --to 4",
      "  raftlog bench produce --records 100000 --size 1024",
      "",
      "Servers: --servers, else the RAFTLOG_SERVERS environment variable, else "
          + ServerOptions.DEFAULT_SERVERS
          + ".",
      "TLS: --ca FILE (mutual TLS: also --cert FILE --cert-key FILE), else the RAFTLOG_CA,",
      "RAFTLOG_CERT and RAFTLOG_KEY environment variables; none: plaintext.",
      "",
      "Exit codes:",
      "  0    success",
      "  1    scripts/raftlog could not build or start the tool",
      "  2    usage error (unknown option, bad value, missing command)",
      "  3    cluster unavailable: no node answered, no leader, overloaded, or the",
      "       --deadline passed while retrying (UNAVAILABLE, DEADLINE_EXCEEDED,",
      "       RESOURCE_EXHAUSTED, ABORTED), or the --timeout of a drain or move",
      "       passed (the change goes on in the cluster)",
      "  4    request rejected (INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION,",
      "       NOT_FOUND, ALREADY_EXISTS...): an offset past the end of a stream, a record",
      "       too large, a stream that does not exist or already does, a stream not at",
      "       the --expected-offset...",
      "  5    I/O error or any other failure",
      "  130  interrupted (Ctrl-C)",
      "  141  standard output was closed (e.g. piped into head)",
      "Failures print one line, 'raftlog: <message>', on standard error; set",
      "RAFTLOG_DEBUG=1 for a stack trace, RAFTLOG_LOG_LEVEL=debug for the client's log."
    })
public final class RaftlogCli implements Callable<Integer> {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    ConsoleLogging.quiet();
    PrintWriter out =
        new PrintWriter(
            new BufferedWriter(
                new OutputStreamWriter(
                    new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8),
                1 << 16),
            false);
    PrintWriter err =
        new PrintWriter(
            new OutputStreamWriter(
                new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8),
            true);
    int code = commandLine(CliContext.system()).setOut(out).setErr(err).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * The {@code raftlog} command line, ready to execute: commands whose constructor takes a {@link
   * CliContext} get {@code context}; failures map to the exit codes of {@link Failures}.
   */
  public static CommandLine commandLine(CliContext context) {
    Failures failures = new Failures(context);
    return new CommandLine(new RaftlogCli(), new ContextFactory(context))
        .setExecutionExceptionHandler(failures)
        .setExitCodeExceptionMapper(failures)
        .setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /** Creates commands and mixins, passing the context to those whose constructor takes one. */
  private record ContextFactory(CliContext context) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        return cls.getDeclaredConstructor(CliContext.class).newInstance(context);
      } catch (NoSuchMethodException takesNoContext) {
        return CommandLine.defaultFactory().create(cls);
      }
    }
  }
}
