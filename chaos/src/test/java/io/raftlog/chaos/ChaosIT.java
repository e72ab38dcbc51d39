package io.raftlog.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short chaos run of each mode against real node processes (the packaged node jar), writing 300
 * streams over the cluster's shards: no violation in any stream or on any replica; the streams of
 * shards the faulted node did not lead kept being written.
 */
class ChaosIT {
  private static final Path SERVER_JAR = Path.of("..", "server", "target", "raftlog-server.jar");
  private static final int STREAMS = 300;

  @TempDir Path dir;

  private ChaosReport run(Mode mode, int seconds, int interval) throws Exception {
    ChaosReport r =
        ChaosRun.run(
            new ChaosOptions(
                mode,
                Duration.ofSeconds(seconds),
                Duration.ofSeconds(interval),
                Duration.ofMillis(2500),
                1500,
                100,
                STREAMS,
                dir.resolve(mode.name().toLowerCase()),
                SERVER_JAR),
            new PrintStream(System.out, true));
    System.out.println(r.line());
    // The history outlives the temporary dir: scripts/check-history.sh can judge it again.
    Path history = dir.resolve(mode.name().toLowerCase()).resolve("history.jsonl");
    Path kept = Path.of("target", "chaos-history", mode.name().toLowerCase() + ".jsonl");
    Files.createDirectories(kept.getParent());
    Files.copy(history, kept, StandardCopyOption.REPLACE_EXISTING);
    assertEquals(0, r.historyViolations(), () -> "history: " + r.problems());
    assertTrue(r.ok(), () -> r.line() + "\n" + String.join("\n", r.problems()));
    assertTrue(r.acked() > 0, "the producer got acknowledgements");
    assertEquals(0, r.failed(), () -> "sends failed: " + r.problems());
    assertEquals(0, r.unrecovered(), r::line);
    return r;
  }

  /** Killing a node pauses only the streams of the shards it led; the others keep going. */
  private static void onlyAffectedPaused(ChaosReport r) {
    assertTrue(!r.affectedUnavailableMs().isEmpty(), r::line);
    assertTrue(r.unavailableMax() < 10_000, r::line);
    assertTrue(!r.unaffectedGapMs().isEmpty(), r::line);
    // unaffected streams get a record every 200 ms; a gap near the downtime would mean they stopped
    assertTrue(r.gapMax() < 2000, r::line);
  }

  @Test
  void oneLeaderKill() throws Exception {
    ChaosReport r = run(Mode.LEADER, 7, 4);
    assertEquals(1, r.faults());
    onlyAffectedPaused(r);
  }

  @Test
  void oneNodeKill() throws Exception {
    ChaosReport r = run(Mode.NODE, 7, 4);
    assertEquals(1, r.faults());
    onlyAffectedPaused(r);
  }

  @Test
  void onePausedLeaderStepsDown() throws Exception {
    ChaosReport r = run(Mode.PAUSE, 7, 4);
    assertEquals(1, r.faults());
    assertTrue(r.steppedDown(), r::line);
  }

  @Test
  void oneFullRestart() throws Exception {
    assertEquals(1, run(Mode.ALL, 7, 4).faults());
  }

  @Test
  void oneFollowerKill() throws Exception {
    assertEquals(1, run(Mode.FOLLOWER, 7, 4).faults());
  }
}
