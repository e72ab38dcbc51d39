package io.raftlog.cli;

import io.raftlog.acl.Acl;
import io.raftlog.acl.AclFileException;
import io.raftlog.acl.Decision;
import io.raftlog.acl.Operation;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code raftlog acl check}: what a node's ACL file decides for a principal, an operation and a
 * stream, and why. Reads the file only; talks to no cluster.
 */
@Command(
    name = "acl",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Explains the decisions of an ACL file (docs/security.md).",
    subcommands = {AclCommand.Check.class})
public final class AclCommand implements Callable<Integer> {
  /** The environment variable naming the ACL file when --file is not given. */
  static final String ENV_FILE = "RAFTLOG_ACL_FILE";

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /** {@code raftlog acl check PRINCIPAL OP [STREAM] --file PATH}. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Says whether the ACL file lets PRINCIPAL do OP on STREAM: the line that allows it, or"
            + " for a denial what the lines naming PRINCIPAL grant instead.",
        "Exit codes: 0 allowed, 1 denied, 2 a bad file or usage."
      },
      footerHeading = "%n",
      footer = {
        "Examples:",
        "  raftlog acl check alice consume orders.eu --file /etc/raftlog/acl",
        "  RAFTLOG_ACL_FILE=/etc/raftlog/acl raftlog acl check ops cluster"
      })
  static final class Check implements Callable<Integer> {
    private final CliContext context;

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PRINCIPAL", description = "The caller's principal.")
    String principal;

    @Parameters(index = "1", paramLabel = "OP", description = "produce, consume, admin or cluster.")
    String op;

    @Parameters(
        index = "2",
        paramLabel = "STREAM",
        arity = "0..1",
        description = "The stream (not needed for cluster).")
    String stream;

    @Option(
        names = "--file",
        paramLabel = "PATH",
        description = "The ACL file (default: $" + ENV_FILE + ").")
    Path file;

    Check(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      Operation operation = Operation.of(op);
      if (operation == null) {
        throw new ParameterException(
            spec.commandLine(), "OP '" + op + "' is none of " + Operation.words());
      }
      if (stream == null && operation != Operation.CLUSTER) {
        throw new ParameterException(spec.commandLine(), "STREAM is needed for " + op);
      }
      Path acl = file;
      if (acl == null) {
        String env = context.env().apply(ENV_FILE);
        if (env == null || env.isBlank()) {
          throw new ParameterException(
              spec.commandLine(), "name the ACL file with --file or $" + ENV_FILE);
        }
        acl = Path.of(env);
      }
      Decision d;
      try {
        d = Acl.read(acl).decide(principal, operation, stream == null ? "*" : stream);
      } catch (AclFileException e) {
        spec.commandLine().getErr().println("raftlog: " + e.getMessage());
        return 2;
      }
      spec.commandLine()
          .getOut()
          .println((d.allowed() ? "allowed: " : "denied: ") + d.explanation());
      return d.allowed() ? 0 : 1;
    }
  }
}
