package io.raftlog.config;

import static io.raftlog.config.ConfigKeys.CLUSTER_JOIN;
import static io.raftlog.config.ConfigKeys.CLUSTER_PEERS;
import static io.raftlog.config.ConfigKeys.CLUSTER_REPLICATION;
import static io.raftlog.config.ConfigKeys.CLUSTER_SHARDS;
import static io.raftlog.config.ConfigKeys.KEEPALIVE_TIME_MS;
import static io.raftlog.config.ConfigKeys.MAX_BATCH_BYTES;
import static io.raftlog.config.ConfigKeys.MAX_INFLIGHT_BYTES;
import static io.raftlog.config.ConfigKeys.MAX_RECORD_BYTES;
import static io.raftlog.config.ConfigKeys.NODE_CLIENT_ADDRESS;
import static io.raftlog.config.ConfigKeys.NODE_ID;
import static io.raftlog.config.ConfigKeys.NODE_RAFT_ADDRESS;

import io.raftlog.wire.StreamNames;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Everything one node needs to start: a value for every key of {@link ConfigKeys}, read by key with
 * {@link #get}. Made from a node's properties file ({@link #load}, {@link #from}) or key by key
 * ({@link #builder}); either way each value has passed its key's own check, and this class adds
 * only the checks that involve two keys. Immutable once built, so any thread may read it.
 */
public final class NodeConfig {

  /** The shortest keepalive time gRPC honours. */
  public static final int MIN_KEEPALIVE_TIME_MS = 10_000;

  /** A checked value for each key of {@link ConfigKeys#ALL}; the peers sorted by id. */
  // By identity: every key is one constant of ConfigKeys, and get() runs on request paths (e.g. the
  // forwarder's node id), where hashing a ConfigKey record's six components on each call is waste.
  private final Map<ConfigKey<?>, Object> values;

  private NodeConfig(Map<ConfigKey<?>, Object> values) {
    this.values = Collections.unmodifiableMap(new IdentityHashMap<>(values));
  }

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
    Builder b = builder();
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      b.read(key, p);
    }
    return b.build();
  }

  /** An empty builder: every key not set takes its default when built. */
  public static Builder builder() {
    return new Builder();
  }

  /** The value of {@code key}: as set, or its default. */
  @SuppressWarnings("unchecked") // the builder only stores a key's own type under it
  public <T> T get(ConfigKey<T> key) {
    Object value = values.get(key);
    if (value == null) {
      throw new IllegalArgumentException(key.name() + " is not one of ConfigKeys.ALL");
    }
    return (T) value;
  }

  /** Replicas per shard: {@code cluster.replication}, or every node when there are fewer. */
  public int effectiveReplication() {
    List<Peer> peers = get(CLUSTER_PEERS);
    return peers.isEmpty()
        ? get(CLUSTER_REPLICATION)
        : Math.min(get(CLUSTER_REPLICATION), peers.size());
  }

  /**
   * This node, as {@code node.id} names it: its entry of {@code cluster.peers}, or (a node that
   * joins) {@code node.raft-address} and {@code node.client-address}.
   */
  public Peer self() {
    Peer listed = peer(get(NODE_ID));
    return listed != null
        ? listed
        : new Peer(get(NODE_ID), get(NODE_RAFT_ADDRESS), get(NODE_CLIENT_ADDRESS));
  }

  /** Whether this node forms a new cluster with {@code cluster.peers} (else it joins one). */
  public boolean forms() {
    return peer(get(NODE_ID)) != null;
  }

  /** The peer with id {@code id}, or null. */
  public Peer peer(String id) {
    return get(CLUSTER_PEERS).stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
  }

  /** The peer whose Raft transport listens on {@code raftAddress}, or null. */
  public Peer peerByRaftAddress(String raftAddress) {
    return get(CLUSTER_PEERS).stream()
        .filter(p -> p.raftAddress().equals(raftAddress))
        .findFirst()
        .orElse(null);
  }

  /** Collects values key by key; {@link #build} fills in defaults and checks the whole. */
  public static final class Builder {
    private final Map<ConfigKey<?>, Object> values = new HashMap<>();

    private Builder() {}

    /**
     * Sets {@code key} to {@code value}.
     *
     * @throws IllegalArgumentException naming the key when the value fails its check
     */
    public <T> Builder set(ConfigKey<T> key, T value) {
      values.put(key, key.checked(value));
      return this;
    }

    /** Sets {@code key} to its value in {@code p}, or its default when absent. */
    private <T> void read(ConfigKey<T> key, Properties p) {
      set(key, key.read(p));
    }

    /**
     * The config: keys not set take their defaults.
     *
     * @throws IllegalArgumentException naming a required key that is not set, or two keys whose
     *     values do not fit together
     */
    public NodeConfig build() {
      Map<ConfigKey<?>, Object> all = new HashMap<>();
      for (ConfigKey<?> key : ConfigKeys.ALL) {
        Object value = values.containsKey(key) ? values.get(key) : key.defaultValue();
        if (value == null) {
          throw new IllegalArgumentException("missing required key '" + key.name() + "'");
        }
        all.put(key, value);
      }
      List<Peer> peers =
          get(all, CLUSTER_PEERS).stream().sorted(Comparator.comparing(Peer::id)).toList();
      all.put(CLUSTER_PEERS, peers);
      check(all, peers);
      return new NodeConfig(all);
    }

    private static void check(Map<ConfigKey<?>, Object> all, List<Peer> peers) {
      String nodeId = get(all, NODE_ID);
      java.util.Optional<Peer> listed = peers.stream().filter(p -> p.id().equals(nodeId)).findAny();
      if (listed.isEmpty()) {
        if (get(all, CLUSTER_JOIN).isEmpty()) {
          throw new IllegalArgumentException(
              NODE_ID.name()
                  + " '"
                  + nodeId
                  + "' is not one of the ids in "
                  + CLUSTER_PEERS.name()
                  + ", and "
                  + CLUSTER_JOIN.name()
                  + " is not set: give the nodes that form the cluster, or nodes of a running"
                  + " cluster to join");
        }
        for (ConfigKey<String> own : List.of(NODE_RAFT_ADDRESS, NODE_CLIENT_ADDRESS)) {
          if (get(all, own).isEmpty()) {
            throw new IllegalArgumentException(
                "a node that joins (" + CLUSTER_JOIN.name() + ") needs " + own.name());
          }
        }
      } else {
        for (ConfigKey<String> own : List.of(NODE_RAFT_ADDRESS, NODE_CLIENT_ADDRESS)) {
          String given = get(all, own);
          String there =
              own == NODE_RAFT_ADDRESS ? listed.get().raftAddress() : listed.get().clientAddress();
          if (!given.isEmpty() && !given.equals(there)) {
            throw new IllegalArgumentException(
                own.name()
                    + " '"
                    + given
                    + "' is not this node's address in "
                    + CLUSTER_PEERS.name()
                    + " ('"
                    + there
                    + "')");
          }
        }
      }
      if (peers.stream().map(Peer::id).distinct().count() != peers.size()) {
        throw new IllegalArgumentException(CLUSTER_PEERS.name() + " names a node id twice");
      }
      int shards = get(all, CLUSTER_SHARDS);
      if (shards > StreamNames.SLOT_COUNT) {
        throw new IllegalArgumentException(
            CLUSTER_SHARDS.name()
                + " must be at most "
                + StreamNames.SLOT_COUNT
                + " (one slot per shard), not "
                + shards);
      }
      atLeast(all, MAX_BATCH_BYTES, MAX_RECORD_BYTES);
      atLeast(all, MAX_INFLIGHT_BYTES, MAX_BATCH_BYTES);
      int keepAliveTimeMs = get(all, KEEPALIVE_TIME_MS);
      if (keepAliveTimeMs < MIN_KEEPALIVE_TIME_MS) {
        // gRPC raises shorter keepalive times to its minimum without a word.
        throw new IllegalArgumentException(
            KEEPALIVE_TIME_MS.name()
                + " must be at least "
                + MIN_KEEPALIVE_TIME_MS
                + " (gRPC's minimum), not "
                + keepAliveTimeMs);
      }
    }

    private static void atLeast(
        Map<ConfigKey<?>, Object> all,
        ConfigKey<? extends Number> big,
        ConfigKey<? extends Number> small) {
      if (get(all, big).longValue() < get(all, small).longValue()) {
        throw new IllegalArgumentException(big.name() + " must be at least " + small.name());
      }
    }

    @SuppressWarnings("unchecked") // set() only stores a key's own type under it
    private static <T> T get(Map<ConfigKey<?>, Object> all, ConfigKey<T> key) {
      return (T) all.get(key);
    }
  }
}
