package io.raftlog.chaos;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One chaos run.
 *
 * @param mode the fault
 * @param duration how long the workload runs
 * @param interval time between faults (the first comes after one interval)
 * @param downtime how long a killed node stays down, or a paused one stopped
 * @param rate records per second the producer offers, over all streams
 * @param recordBytes size of each record's value
 * @param streams how many streams the producer writes round robin ({@code chaos-0000}, ...)
 * @param dataDir where the nodes keep their data, configs and logs (must be empty or absent)
 * @param serverJar the node jar ({@code server/target/raftlog-server.jar})
 */
public record ChaosOptions(
    Mode mode,
    Duration duration,
    Duration interval,
    Duration downtime,
    int rate,
    int recordBytes,
    int streams,
    Path dataDir,
    Path serverJar) {
  public ChaosOptions {
    if (streams < 1) {
      throw new IllegalArgumentException("streams must be at least 1");
    }
  }
}
