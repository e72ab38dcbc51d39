package io.raftlog.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short chaos run of each mode against real node processes (the packaged node jar): nothing
 * acknowledged lost, duplicated or reordered; replicas identical; the subscription saw the log.
 */
class ChaosIT {
  private static final Path SERVER_JAR = Path.of("..", "server", "target", "raftlog-server.jar");

  @TempDir Path dir;

  private ChaosReport run(Mode mode, int seconds, int interval) throws Exception {
    ChaosReport r =
        ChaosRun.run(
            new ChaosOptions(
                mode,
                Duration.ofSeconds(seconds),
                Duration.ofSeconds(interval),
                Duration.ofMillis(2500),
                1000,
                100,
                dir.resolve(mode.name().toLowerCase()),
                SERVER_JAR),
            new PrintStream(System.out, true));
    System.out.println(r.line());
    assertTrue(r.ok(), () -> r.line() + "\n" + String.join("\n", r.problems()));
    assertTrue(r.acked() > 0, "the producer got acknowledgements");
    assertEquals(0, r.failed(), () -> "sends failed: " + r.problems());
    return r;
  }

  @Test
  void threeLeaderKills() throws Exception {
    ChaosReport r = run(Mode.LEADER, 21, 6);
    assertEquals(3, r.faults());
    assertTrue(r.unavailableMax() < 10_000, r::line);
  }

  @Test
  void onePausedLeaderStepsDown() throws Exception {
    ChaosReport r = run(Mode.PAUSE, 9, 5);
    assertEquals(1, r.faults());
    assertTrue(r.steppedDown(), r::line);
  }

  @Test
  void oneFullRestart() throws Exception {
    assertEquals(1, run(Mode.ALL, 9, 5).faults());
  }

  @Test
  void oneFollowerKill() throws Exception {
    assertEquals(1, run(Mode.FOLLOWER, 8, 4).faults());
  }
}
