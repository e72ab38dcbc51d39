package io.raftlog.config;

import static io.raftlog.config.ConfigKeys.BALANCE_INTERVAL_MS;
import static io.raftlog.config.ConfigKeys.CLUSTER_PEERS;
import static io.raftlog.config.ConfigKeys.CLUSTER_REPLICATION;
import static io.raftlog.config.ConfigKeys.CLUSTER_SHARDS;
import static io.raftlog.config.ConfigKeys.DATA_DIR;
import static io.raftlog.config.ConfigKeys.ELECTION_TIMEOUT_MS;
import static io.raftlog.config.ConfigKeys.MAX_BATCH_BYTES;
import static io.raftlog.config.ConfigKeys.MAX_ELECTION_DELAY_MS;
import static io.raftlog.config.ConfigKeys.MAX_INFLIGHT_BYTES;
import static io.raftlog.config.ConfigKeys.MAX_PRODUCERS;
import static io.raftlog.config.ConfigKeys.MAX_RECORD_BYTES;
import static io.raftlog.config.ConfigKeys.NODE_ID;
import static io.raftlog.config.ConfigKeys.SNAPSHOT_ENTRIES;
import static io.raftlog.config.ConfigKeys.SNAPSHOT_INTERVAL_SECS;
import static io.raftlog.config.ConfigKeys.STORAGE_MIN_FREE_BYTES;
import static io.raftlog.config.ConfigKeys.STREAMS_AUTO_CREATE;

import io.raftlog.wire.StreamNames;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Everything one node needs to start, read from a Java properties file. Each component is the value
 * of the {@link ConfigKeys} key of the same meaning, where its name, default, check and
 * documentation are declared; this record adds only the checks that involve two keys.
 */
public record NodeConfig(
    String nodeId,
    Path dataDir,
    List<Peer> peers,
    int shards,
    int replication,
    boolean autoCreateStreams,
    int balanceIntervalMs,
    int electionTimeoutMs,
    int maxElectionDelayMs,
    int snapshotIntervalSecs,
    long snapshotEntries,
    int maxRecordBytes,
    int maxBatchBytes,
    int maxProducers,
    long maxInflightBytes,
    long minFreeBytes,
    int handshakeTimeoutMs,
    int keepAliveTimeMs,
    int shutdownHandOffMs) {

  public NodeConfig {
    peers = peers.stream().sorted(Comparator.comparing(Peer::id)).toList();
    if (peers.stream().noneMatch(p -> p.id().equals(nodeId))) {
      throw new IllegalArgumentException(
          NODE_ID.name() + " '" + nodeId + "' is not one of the ids in " + CLUSTER_PEERS.name());
    }
    if (peers.stream().map(Peer::id).distinct().count() != peers.size()) {
      throw new IllegalArgumentException(CLUSTER_PEERS.name() + " names a node id twice");
    }
    if (shards > StreamNames.SLOT_COUNT) {
      throw new IllegalArgumentException(
          CLUSTER_SHARDS.name()
              + " must be at most "
              + StreamNames.SLOT_COUNT
              + " (one slot per shard), not "
              + shards);
    }
    atLeast(MAX_BATCH_BYTES, maxBatchBytes, MAX_RECORD_BYTES, maxRecordBytes);
    atLeast(MAX_INFLIGHT_BYTES, maxInflightBytes, MAX_BATCH_BYTES, maxBatchBytes);
    if (keepAliveTimeMs < MIN_KEEPALIVE_TIME_MS) {
      // gRPC raises shorter keepalive times to its minimum without a word.
      throw new IllegalArgumentException(
          ConfigKeys.KEEPALIVE_TIME_MS.name()
              + " must be at least "
              + MIN_KEEPALIVE_TIME_MS
              + " (gRPC's minimum), not "
              + keepAliveTimeMs);
    }
  }

  /** The shortest keepalive time gRPC honours. */
  public static final int MIN_KEEPALIVE_TIME_MS = 10_000;

  /**
   * Reads a node's properties file, with {@code overrides} (key to value, e.g. from the command
   * line) taking the place of the file's values; an exception's message names the file and key.
   */
  public static NodeConfig load(Path file, Map<String, String> overrides) throws IOException {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    p.putAll(overrides);
    try {
      return from(p);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** A config from properties as a node's file holds them; absent keys take their defaults. */
  public static NodeConfig from(Properties p) {
    return new NodeConfig(
        NODE_ID.read(p),
        DATA_DIR.read(p),
        CLUSTER_PEERS.read(p),
        CLUSTER_SHARDS.read(p),
        CLUSTER_REPLICATION.read(p),
        STREAMS_AUTO_CREATE.read(p),
        BALANCE_INTERVAL_MS.read(p),
        ELECTION_TIMEOUT_MS.read(p),
        MAX_ELECTION_DELAY_MS.read(p),
        SNAPSHOT_INTERVAL_SECS.read(p),
        SNAPSHOT_ENTRIES.read(p),
        MAX_RECORD_BYTES.read(p),
        MAX_BATCH_BYTES.read(p),
        MAX_PRODUCERS.read(p),
        MAX_INFLIGHT_BYTES.read(p),
        STORAGE_MIN_FREE_BYTES.read(p),
        ConfigKeys.HANDSHAKE_TIMEOUT_MS.read(p),
        ConfigKeys.KEEPALIVE_TIME_MS.read(p),
        ConfigKeys.SHUTDOWN_HAND_OFF_MS.read(p));
  }

  /** Replicas per shard: {@code cluster.replication}, or every node when there are fewer. */
  public int effectiveReplication() {
    return Math.min(replication, peers.size());
  }

  public Peer self() {
    return peer(nodeId);
  }

  public Peer peer(String id) {
    return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
  }

  /** The peer whose Raft transport listens on {@code raftAddress}, or null. */
  public Peer peerByRaftAddress(String raftAddress) {
    return peers.stream().filter(p -> p.raftAddress().equals(raftAddress)).findFirst().orElse(null);
  }

  private static void atLeast(
      ConfigKey<?> big, long bigValue, ConfigKey<?> small, long smallValue) {
    if (bigValue < smallValue) {
      throw new IllegalArgumentException(big.name() + " must be at least " + small.name());
    }
  }
}
