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
 * @param rate records per second the producer offers
 * @param recordBytes size of each record's value
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
    Path dataDir,
    Path serverJar) {}
