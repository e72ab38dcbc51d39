package io.raftlog.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code raftlog}: the command-line tool of a raftlog cluster. {@link #main} is the entry point of
 * {@code client/target/raftlog-cli.jar}, which {@code scripts/raftlog} runs.
 *
 * <p>{@code new CommandLine(new RaftlogCli())} is fully set up (error handling, exit codes, case
 * insensitive enum values) by {@link Setup}, so tests run it exactly as {@link #main} does.
 */
@Command(
    name = "raftlog",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    modelTransformer = RaftlogCli.Setup.class,
    description = "Produces to, consumes from and inspects a raftlog cluster.",
    subcommands = {
      ProduceCommand.class,
      ConsumeCommand.class,
      ClusterCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  raftlog produce hello world",
      "  seq 1000 | raftlog produce --key numbers > offsets.txt",
      "  raftlog consume --from 0 --max 10 --format json",
      "  raftlog consume --from 0 --follow",
      "  raftlog cluster",
      "  raftlog bench produce --records 100000 --size 1024",
      "",
      "Servers: --servers, else the RAFTLOG_SERVERS environment variable, else "
          + ServerOptions.DEFAULT_SERVERS
          + ".",
      "",
      "Exit codes:",
      "  0    success",
      "  1    scripts/raftlog could not build or start the tool",
      "  2    usage error (unknown option, bad value, missing command)",
      "  3    cluster unavailable: no node answered, no leader, overloaded, or the",
      "       --deadline passed while retrying (UNAVAILABLE, DEADLINE_EXCEEDED,",
      "       RESOURCE_EXHAUSTED, ABORTED)",
      "  4    request rejected (INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION,",
      "       ...): an offset past the end of the log, a record too large...",
      "  5    I/O error or any other failure",
      "  130  interrupted (Ctrl-C)",
      "  141  standard output was closed (e.g. piped into head)",
      "Failures print one line, 'raftlog: <message>', on standard error; set",
      "RAFTLOG_DEBUG=1 for a stack trace, RAFTLOG_LOG_LEVEL=debug for the client's log."
    })
public final class RaftlogCli implements Callable<Integer> {
  /** Kept so that the level set on it sticks: JUL holds loggers weakly. */
  private static final Logger GRPC_JUL_LOGGER = Logger.getLogger("io.grpc");

  @Spec CommandSpec spec;

  /** Where {@code produce} reads records from when it is given no values. */
  InputStream stdin = System.in;

  /** The environment ({@code RAFTLOG_SERVERS}, {@code RAFTLOG_DEBUG}). */
  Function<String, String> env = System::getenv;

  /** Whether the CLI runs in a terminal (it has a console): bench progress is shown only then. */
  boolean interactive = System.console() != null;

  public static void main(String[] args) {
    quietLogging();
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
    int code = new CommandLine(new RaftlogCli()).setOut(out).setErr(err).execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * Keeps a command-line tool's terminal for its own output; call it first thing in {@code main},
   * before anything creates a logger. The client logs through SLF4J, and the CLI's own logback
   * configuration keeps everything below WARN (and gRPC's and Netty's chatter) off the terminal;
   * gRPC also logs through java.util.logging, whose default handler writes to standard error.
   */
  public static void quietLogging() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "raftlog-cli-logback.xml");
    }
    GRPC_JUL_LOGGER.setLevel(Level.OFF);
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /** The {@code RaftlogCli} at the root of the command that {@code spec} belongs to. */
  static RaftlogCli root(CommandSpec spec) {
    Object top = spec.root().userObject();
    return top instanceof RaftlogCli cli ? cli : new RaftlogCli();
  }

  /** For tests: reads {@code produce}'s records from {@code in} instead of standard input. */
  RaftlogCli withStdin(InputStream in) {
    this.stdin = in;
    return this;
  }

  /** For tests: the environment variables the CLI sees. */
  RaftlogCli withEnv(Map<String, String> vars) {
    this.env = vars::get;
    return this;
  }

  /**
   * Runs while picocli builds the command line, whoever builds it: installs the exception handler
   * and exit code mapping ({@link Failures}) and accepts enum values in any case ({@code --format
   * json}).
   */
  public static final class Setup implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      CommandLine cl = spec.commandLine();
      if (cl != null) {
        Failures failures = new Failures();
        cl.setExecutionExceptionHandler(failures)
            .setExitCodeExceptionMapper(failures)
            .setCaseInsensitiveEnumValuesAllowed(true);
      }
      return spec;
    }
  }
}
