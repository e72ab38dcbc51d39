package io.raftlog.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;

/**
 * Everything one node needs to start, read from a Java properties file (see {@code
 * cluster-config/node-1.properties} for every key with its meaning and default).
 *
 * @param nodeId this node's id; must be one of {@code peers}
 * @param dataDir holds the records' RocksDB, the Raft log, Raft metadata and snapshots
 * @param peers every node of the cluster, this one included, sorted by id
 * @param electionTimeoutMs a follower that hears nothing from a leader this long starts an election
 * @param maxElectionDelayMs plus a random delay of up to this much, so that followers rarely start
 *     competing elections at once
 * @param snapshotIntervalSecs take a snapshot at least this often (when anything was applied)
 * @param snapshotEntries also take one after this many Raft entries since the last
 * @param maxRecordBytes largest record (value + key + headers) a producer may send
 * @param maxBatchBytes largest produce batch, encoded
 * @param maxProducers idempotent producers remembered; the least recently used is forgotten first
 * @param maxInflightBytes produce bytes a node accepts before answering RESOURCE_EXHAUSTED
 */
public record NodeConfig(
    String nodeId,
    Path dataDir,
    List<Peer> peers,
    int electionTimeoutMs,
    int maxElectionDelayMs,
    int snapshotIntervalSecs,
    long snapshotEntries,
    int maxRecordBytes,
    int maxBatchBytes,
    int maxProducers,
    long maxInflightBytes) {

  public static final int DEFAULT_ELECTION_TIMEOUT_MS = 600;
  public static final int DEFAULT_MAX_ELECTION_DELAY_MS = 300;
  public static final int DEFAULT_SNAPSHOT_INTERVAL_SECS = 600;
  public static final long DEFAULT_SNAPSHOT_ENTRIES = 50_000;
  public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;
  public static final int DEFAULT_MAX_BATCH_BYTES = 4 << 20;
  public static final int DEFAULT_MAX_PRODUCERS = 10_000;
  public static final long DEFAULT_MAX_INFLIGHT_BYTES = 64L << 20;

  public NodeConfig {
    peers = peers.stream().sorted(Comparator.comparing(Peer::id)).toList();
    if (peers.stream().noneMatch(p -> p.id().equals(nodeId))) {
      throw new IllegalArgumentException(
          "node.id '" + nodeId + "' is not one of the ids in cluster.peers");
    }
    if (peers.stream().map(Peer::id).distinct().count() != peers.size()) {
      throw new IllegalArgumentException("cluster.peers names a node id twice");
    }
    positive("raft.election-timeout-ms", electionTimeoutMs);
    positive("raft.max-election-delay-ms", maxElectionDelayMs);
    positive("raft.snapshot-interval-secs", snapshotIntervalSecs);
    positive("raft.snapshot-entries", snapshotEntries);
    positive("log.max-record-bytes", maxRecordBytes);
    positive("log.max-producers", maxProducers);
    if (maxBatchBytes < maxRecordBytes) {
      throw new IllegalArgumentException(
          "log.max-batch-bytes must be at least log.max-record-bytes");
    }
    if (maxInflightBytes < maxBatchBytes) {
      throw new IllegalArgumentException(
          "log.max-inflight-bytes must be at least log.max-batch-bytes");
    }
  }

  /** A config with every tunable at its default. */
  public static NodeConfig of(String nodeId, Path dataDir, List<Peer> peers) {
    return new Builder(nodeId, dataDir, peers).build();
  }

  public static NodeConfig load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    }
    try {
      return fromProperties(p);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  static NodeConfig fromProperties(Properties p) {
    List<Peer> peers = new ArrayList<>();
    for (String spec : required(p, "cluster.peers").split(",")) {
      if (!spec.isBlank()) {
        peers.add(Peer.parse(spec));
      }
    }
    Builder b = new Builder(required(p, "node.id"), Path.of(required(p, "data.dir")), peers);
    b.electionTimeoutMs = (int) number(p, "raft.election-timeout-ms", b.electionTimeoutMs);
    b.maxElectionDelayMs = (int) number(p, "raft.max-election-delay-ms", b.maxElectionDelayMs);
    b.snapshotIntervalSecs = (int) number(p, "raft.snapshot-interval-secs", b.snapshotIntervalSecs);
    b.snapshotEntries = number(p, "raft.snapshot-entries", b.snapshotEntries);
    b.maxRecordBytes = (int) number(p, "log.max-record-bytes", b.maxRecordBytes);
    b.maxBatchBytes = (int) number(p, "log.max-batch-bytes", b.maxBatchBytes);
    b.maxProducers = (int) number(p, "log.max-producers", b.maxProducers);
    b.maxInflightBytes = number(p, "log.max-inflight-bytes", b.maxInflightBytes);
    return b.build();
  }

  /** A builder holding this config's values, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder(nodeId, dataDir, peers);
    b.electionTimeoutMs = electionTimeoutMs;
    b.maxElectionDelayMs = maxElectionDelayMs;
    b.snapshotIntervalSecs = snapshotIntervalSecs;
    b.snapshotEntries = snapshotEntries;
    b.maxRecordBytes = maxRecordBytes;
    b.maxBatchBytes = maxBatchBytes;
    b.maxProducers = maxProducers;
    b.maxInflightBytes = maxInflightBytes;
    return b;
  }

  /** Mutable holder of every setting, starting from the defaults; {@link #build()} validates. */
  public static final class Builder {
    public String nodeId;
    public Path dataDir;
    public List<Peer> peers;
    public int electionTimeoutMs = DEFAULT_ELECTION_TIMEOUT_MS;
    public int maxElectionDelayMs = DEFAULT_MAX_ELECTION_DELAY_MS;
    public int snapshotIntervalSecs = DEFAULT_SNAPSHOT_INTERVAL_SECS;
    public long snapshotEntries = DEFAULT_SNAPSHOT_ENTRIES;
    public int maxRecordBytes = DEFAULT_MAX_RECORD_BYTES;
    public int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    public int maxProducers = DEFAULT_MAX_PRODUCERS;
    public long maxInflightBytes = DEFAULT_MAX_INFLIGHT_BYTES;

    public Builder(String nodeId, Path dataDir, List<Peer> peers) {
      this.nodeId = nodeId;
      this.dataDir = dataDir;
      this.peers = peers;
    }

    public NodeConfig build() {
      return new NodeConfig(
          nodeId,
          dataDir,
          peers,
          electionTimeoutMs,
          maxElectionDelayMs,
          snapshotIntervalSecs,
          snapshotEntries,
          maxRecordBytes,
          maxBatchBytes,
          maxProducers,
          maxInflightBytes);
    }
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

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing required key '" + key + "'");
    }
    return v.trim();
  }

  private static long number(Properties p, String key, long dflt) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + key + "' must be a whole number, not '" + v + "'");
    }
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("'" + key + "' must be positive, not " + value);
    }
  }
}
