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
 * @param nodes how many nodes form the cluster (each shard has three replicas, or one per node when
 *     there are fewer); modes that change members need more than three
 * @param dataDir where the nodes keep their data, configs and logs (must be empty or absent)
 * @param serverJar the node jar ({@code server/target/raftlog-server.jar})
 * @param tls whether mutual TLS is on, on both hops (the gRPC port and the Raft port), with
 *     certificates the run makes ({@link RunCertificates})
 */
public record ChaosOptions(
    Mode mode,
    Duration duration,
    Duration interval,
    Duration downtime,
    int rate,
    int recordBytes,
    int streams,
    int nodes,
    Path dataDir,
    Path serverJar,
    boolean tls) {
  /** Replicas of each shard: the nodes' default {@code cluster.replication}. */
  static final int REPLICATION = 3;

  /** As many nodes as {@code scripts/start-cluster.sh} starts at most. */
  static final int MAX_NODES = 9;

  public ChaosOptions {
    if (streams < 1) {
      throw new IllegalArgumentException("streams must be at least 1");
    }
    if (nodes < 1 || nodes > MAX_NODES) {
      throw new IllegalArgumentException("nodes must be 1 to " + MAX_NODES);
    }
    if (mode.changesMembers() && nodes <= REPLICATION) {
      throw new IllegalArgumentException(
          "mode "
              + mode.label()
              + " needs more than "
              + REPLICATION
              + " nodes, so that every shard keeps "
              + REPLICATION
              + " replicas while one leaves");
    }
  }
}
