package io.raftlog.service;

import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.replication.Catalog;
import io.raftlog.replication.Replicas;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.wire.StreamNames;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where a call about a stream goes: the stream's shard, this node's replica of it, and its leader.
 * Names are checked here, once, with the rule's message. Stateless over {@link Replicas}; called on
 * any thread.
 */
final class Routes {
  private final NodeConfig config;
  private final Replicas replicas;

  Routes(NodeConfig config, Replicas replicas) {
    this.config = config;
    this.replicas = replicas;
  }

  /** {@code name}, or {@code default} for an empty one; INVALID_ARGUMENT for a bad one. */
  static String streamName(String name) {
    String n = StreamNames.orDefault(name);
    String problem = StreamNames.problem(n);
    if (problem != null) {
      throw Errors.invalid(problem);
    }
    return n;
  }

  /** A name a call must give (admin calls have no `default` stand-in); INVALID_ARGUMENT if bad. */
  static String explicitStreamName(String name) {
    String problem = StreamNames.problem(name);
    if (problem != null) {
      throw Errors.invalid(problem);
    }
    return name;
  }

  int shardOf(String stream) {
    return replicas.shardOf(stream);
  }

  /** This node's replica of {@code shard}, or null. */
  ReplicatedLog local(int shard) {
    return replicas.local(shard);
  }

  /**
   * This node's replica of {@code shard} for a read; UNAVAILABLE naming the replicas if this node
   * holds none.
   */
  ReplicatedLog localForRead(int shard) {
    ReplicatedLog r = replicas.local(shard);
    if (r == null) {
      throw Errors.notReplica(shard, replicas.replicasOf(shard));
    }
    return r;
  }

  /** The shard's leader as this node knows it, or null. */
  Peer leaderOf(int shard) {
    ReplicatedLog r = replicas.local(shard);
    return r == null ? null : r.leader();
  }

  /** The shard leader's client address, read when called: for {@link LeaderHeaders#servedBy}. */
  Supplier<String> leaderAddressOf(int shard) {
    return () -> {
      Peer p = leaderOf(shard);
      return p == null ? null : p.clientAddress();
    };
  }

  /** The meta group leader's client address, or null. */
  String metaLeaderAddress() {
    Peer p = replicas.catalog().leader();
    return p == null ? null : p.clientAddress();
  }

  Catalog catalog() {
    return replicas.catalog();
  }

  Replicas replicas() {
    return replicas;
  }

  List<Peer> replicasOf(int shard) {
    return replicas.replicasOf(shard);
  }

  NodeConfig config() {
    return config;
  }

  /**
   * RESOURCE_EXHAUSTED, naming the node, directory and bytes, while this node's disk is below
   * {@code storage.min-free-bytes}: it takes no write, its own or one to forward (a client retries
   * elsewhere; the node's leaderships are being handed away).
   */
  void refuseWritesWhileDiskFull() {
    String reason = replicas.diskFullReason();
    if (reason != null) {
      throw Errors.diskFull(reason);
    }
  }
}
