package io.raftlog.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a short command to its end and hands back its exit code and output: the one way the test
 * kit, the tests and the chaos tool run {@code ip}, {@code mount}, {@code kill}, {@code jstat} and
 * the like. Long-lived processes (the nodes of a {@link ProcessCluster}) are not commands: their
 * owner starts and stops them.
 *
 * <p>Runs on the caller's thread; a daemon thread per command drains its output while the caller
 * waits, so a command that writes more than a pipe holds cannot block on it.
 */
public final class Commands {
  private Commands() {}

  /**
   * A finished command.
   *
   * @param command its words
   * @param exit its exit code
   * @param output its standard output and error, interleaved as written, trimmed
   */
  public record Result(List<String> command, int exit, String output) {
    public boolean ok() {
      return exit == 0;
    }

    /** The output; an IOException naming the command, its exit code and output if it failed. */
    public String orThrow() throws IOException {
      if (!ok()) {
        throw new IOException(String.join(" ", command) + " failed (exit " + exit + "): " + output);
      }
      return output;
    }
  }

  /** {@link #run}, then {@link Result#orThrow()}: the output of a command that must succeed. */
  public static String output(Duration timeout, String... command) throws IOException {
    return run(timeout, List.of(command)).orThrow();
  }

  /**
   * Runs {@code command} and waits up to {@code timeout} for it to exit. An IOException if it
   * cannot start, does not finish in time (it is killed then) or the wait is interrupted (killed
   * too, and the thread's interrupt flag is set again); a non-zero exit is in the result.
   */
  public static Result run(Duration timeout, List<String> command) throws IOException {
    List<String> words = List.copyOf(command);
    Process p = new ProcessBuilder(words).redirectErrorStream(true).start();
    CompletableFuture<String> output = drain(p);
    String name = String.join(" ", words);
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(name + " did not finish in " + timeout.toMillis() + " ms");
      }
      // the process is gone; its output ends once a child it left behind closes the pipe too
      return new Result(
          words, p.exitValue(), output.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(name + " interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(name + ": its output could not be read", e);
    }
  }

  private static CompletableFuture<String> drain(Process p) {
    CompletableFuture<String> output = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                byte[] all = p.getInputStream().readAllBytes();
                output.complete(new String(all, StandardCharsets.UTF_8).trim());
              } catch (IOException e) {
                output.completeExceptionally(e);
              }
            },
            "command-output");
    reader.setDaemon(true);
    reader.start();
    return output;
  }
}
