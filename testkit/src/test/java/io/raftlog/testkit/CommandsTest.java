package io.raftlog.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real commands through {@code sh}: exit codes, merged output, timeouts, output past a pipe. */
class CommandsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @Test
  void resultHasTheExitCodeAndBothStreams() throws IOException {
    Commands.Result r =
        Commands.run(TIMEOUT, List.of("sh", "-c", "echo out; echo err >&2; exit 3"));
    assertEquals(3, r.exit());
    assertFalse(r.ok());
    assertEquals("out\nerr", r.output());
  }

  @Test
  void outputOfASuccessIsTrimmed() throws IOException {
    assertEquals("hello", Commands.output(TIMEOUT, "sh", "-c", "echo '  hello  '"));
  }

  @Test
  void aFailureNamesTheCommandItsExitAndOutput() {
    IOException e =
        assertThrows(
            IOException.class, () -> Commands.output(TIMEOUT, "sh", "-c", "echo broken; exit 2"));
    assertEquals("sh -c echo broken; exit 2 failed (exit 2): broken", e.getMessage());
  }

  @Test
  void aCommandPastItsTimeoutIsKilled() {
    long start = System.nanoTime();
    IOException e =
        assertThrows(
            IOException.class, () -> Commands.run(Duration.ofMillis(300), List.of("sleep", "30")));
    assertTrue(e.getMessage().contains("sleep 30 did not finish in 300 ms"), e.getMessage());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "did not wait for it");
  }

  /** More than a pipe holds (64 KiB): read while the command runs, or it would never exit. */
  @Test
  void outputLargerThanAPipeDoesNotBlockTheCommand() throws IOException {
    Commands.Result r =
        Commands.run(
            Duration.ofSeconds(10), List.of("sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x"));
    assertTrue(r.ok());
    assertEquals(1_000_000, r.output().length());
  }

  @Test
  void aMissingProgramIsAnIOException() {
    assertThrows(IOException.class, () -> Commands.output(TIMEOUT, "no-such-program-here"));
  }
}
