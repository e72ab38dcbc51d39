package io.raftlog.service;

import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.replication.Catalog;
import io.raftlog.replication.Replicas;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.wire.StreamNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Where a call about a stream goes: the stream's shard, this node's replica of it, and its leader.
 * Names are checked here, once, with the rule's message. For a shard this node holds no replica of,
 * the leader is the one the shard's replicas last named in an answer to a call this node forwarded
 * ({@link #learnLeader}): JRaft tells only a group's members who leads it. Thread-safe; called on
 * any thread.
 */
final class Routes {
  private final NodeConfig config;
  private final Replicas replicas;
  private final Map<Integer, Peer> learnedLeaders = new ConcurrentHashMap<>();

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
   * The shard's leader as this node knows it, or null: its replica's view, or for a shard it holds
   * none of, the leader a replica last named (while that node is still one of the replicas).
   */
  Peer leaderOf(int shard) {
    ReplicatedLog r = replicas.local(shard);
    if (r != null) {
      return r.leader();
    }
    Peer learned = learnedLeaders.get(shard);
    return learned != null && replicasOf(shard).contains(learned) ? learned : null;
  }

  /**
   * Remembers the leader a replica of {@code shard} named ({@code raftlog-leader} on its answer to
   * a forwarded call); ignored for a shard this node holds, whose replica knows better, and for an
   * address that is none of the shard's replicas.
   */
  void learnLeader(int shard, String clientAddress) {
    if (clientAddress == null || replicas.local(shard) != null) {
      return;
    }
    for (Peer p : replicasOf(shard)) {
      if (p.clientAddress().equals(clientAddress)) {
        learnedLeaders.put(shard, p);
        return;
      }
    }
  }

  /**
   * The other nodes a read of {@code shard} that this node cannot serve may go to, best first: the
   * leader if known, then the other replicas in the catalog's order.
   */
  List<Peer> readTargets(int shard) {
    List<Peer> targets = new ArrayList<>(replicasOf(shard));
    targets.removeIf(p -> p.id().equals(config.self().id()));
    Peer leader = leaderOf(shard);
    if (leader != null && targets.remove(leader)) {
      targets.add(0, leader);
    }
    return targets;
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
