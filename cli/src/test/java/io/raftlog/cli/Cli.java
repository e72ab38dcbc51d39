package io.raftlog.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** Runs the raftlog CLI in this JVM, as {@code main} would, and captures what it prints. */
final class Cli {
  private Cli() {}

  record Result(int exitCode, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }

    List<String> errLines() {
      return err.lines().toList();
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
  }

  static Result run(String... args) {
    return run(new byte[0], Map.of(), args);
  }

  /**
   * Runs the CLI printing into {@code out} and {@code err} as it goes (another thread may watch
   * them, or interrupt this one as Ctrl-C would); answers the exit code.
   */
  static int run(StringWriter out, StringWriter err, String... args) {
    CliContext context = CliContext.of(new ByteArrayInputStream(new byte[0]), Map.of());
    return RaftlogCli.commandLine(context)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute(args);
  }

  static Result run(byte[] stdin, Map<String, String> env, String... args) {
    CliContext context = CliContext.of(new ByteArrayInputStream(stdin), env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        RaftlogCli.commandLine(context)
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
