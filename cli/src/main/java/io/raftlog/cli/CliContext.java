package io.raftlog.cli;

import java.io.InputStream;
import java.util.Map;
import java.util.function.Function;

/**
 * What the commands take from the world outside their arguments. {@link #system()} is the real one;
 * tests pass their own stdin and environment. Each command that needs it receives it in its
 * constructor ({@link RaftlogCli#commandLine}).
 *
 * @param stdin where {@code produce} reads records from when it is given no values
 * @param env the environment ({@code RAFTLOG_SERVERS}, {@code RAFTLOG_DEBUG})
 * @param interactive whether the CLI runs in a terminal: bench progress and prompts only then
 */
public record CliContext(InputStream stdin, Function<String, String> env, boolean interactive) {

  public static CliContext system() {
    return new CliContext(System.in, System::getenv, System.console() != null);
  }

  /** A context with {@code stdin} and exactly the variables {@code vars}, not interactive. */
  public static CliContext of(InputStream stdin, Map<String, String> vars) {
    return new CliContext(stdin, vars::get, false);
  }

  /** Whether {@code RAFTLOG_DEBUG} asks for stack traces. */
  boolean debug() {
    String d = env.apply("RAFTLOG_DEBUG");
    return d != null && !d.isEmpty() && !d.equals("0");
  }
}
