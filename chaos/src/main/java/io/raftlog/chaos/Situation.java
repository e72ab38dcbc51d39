package io.raftlog.chaos;

import io.raftlog.testkit.NetworkNamespaces;
import io.raftlog.testkit.ProcessCluster;
import io.raftlog.testkit.SmallDisk;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What a {@link Disruption} is picked from, each interval: the cluster, its network (null when the
 * nodes run on loopback), each node's small filesystem (empty unless the mode fills disks), the
 * shard picked round robin and its replicas, each shard's leader, the faults injected so far, and
 * the membership calls (null unless the mode changes members).
 */
record Situation(
    ProcessCluster nodes,
    NetworkNamespaces network,
    Map<String, SmallDisk> disks,
    int shard,
    List<String> replicas,
    Map<Integer, String> leaders,
    Random random,
    int round,
    Membership members) {

  /** The picked shard's leader. */
  String leader() {
    return leaders.get(shard);
  }

  /** A random node that follows the picked shard. */
  String follower() {
    List<String> followers = replicas.stream().filter(id -> !id.equals(leader())).toList();
    return followers.get(random.nextInt(followers.size()));
  }

  String randomNode() {
    return nodes.ids().get(random.nextInt(nodes.ids().size()));
  }

  /** Every node but {@code id}. */
  List<String> others(String id) {
    return nodes.ids().stream().filter(n -> !n.equals(id)).toList();
  }

  /** Each node's small filesystem, for the full-disk faults. */
  Map<String, SmallDisk> requireDisks(String kind) {
    if (disks.isEmpty()) {
      throw new IllegalStateException(kind + " needs the nodes' data on small filesystems");
    }
    return disks;
  }

  Membership requireMembers(String kind) {
    if (members == null) {
      throw new IllegalStateException(kind + " needs the membership calls");
    }
    return members;
  }

  NetworkNamespaces requireNetwork(String kind) {
    if (network == null) {
      throw new IllegalStateException(kind + " needs the nodes in network namespaces");
    }
    return network;
  }
}
