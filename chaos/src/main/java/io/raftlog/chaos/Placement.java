package io.raftlog.chaos;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.NodeState;
import io.raftlog.api.v1.ShardInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What one GetCluster answer says about the cluster's members and where the shards live, as the
 * modes that change members wait on it: a node registered, a node drained, every shard back at its
 * replication factor, nothing moving. Pure functions of the answer, so each rule is tested without
 * a cluster; {@link Membership} polls them.
 */
final class Placement {
  private Placement() {}

  /** Whether the catalog lists node {@code id} as ACTIVE (a node that joined is registered). */
  static boolean active(GetClusterResponse view, String id) {
    NodeInfo n = node(view, id);
    return n != null && n.getState() == NodeState.ACTIVE;
  }

  /**
   * Why node {@code id} is not drained yet, or null once it is: DRAINED, no replica counted on it,
   * in no shard's replicas, at neither end of a move. A node the catalog no longer lists is not
   * drained: it was removed, which is not what was waited for.
   */
  static String notDrained(GetClusterResponse view, String id) {
    NodeInfo n = node(view, id);
    if (n == null) {
      return "node " + id + " is not in the catalog";
    }
    if (n.getState() != NodeState.DRAINED) {
      return "node " + id + " is " + n.getState() + " with " + n.getReplicaCount() + " replicas";
    }
    if (n.getReplicaCount() != 0) {
      return "node " + id + " is DRAINED but counts " + n.getReplicaCount() + " replicas";
    }
    for (ShardInfo s : view.getShardsList()) {
      if (s.getReplicasList().contains(id) || movesTouch(s, id)) {
        return "node " + id + " is DRAINED but shard " + s.getId() + " still has it: " + shard(s);
      }
    }
    return null;
  }

  /**
   * Each shard with fewer distinct voters than the replication factor, e.g. {@code shard 2 has
   * replicas [1, 2], below 3}: a move must never leave one so.
   */
  static List<String> belowReplication(GetClusterResponse view) {
    int r = replication(view);
    List<String> below = new ArrayList<>();
    for (ShardInfo s : view.getShardsList()) {
      if (Set.copyOf(s.getReplicasList()).size() < r) {
        below.add("shard " + s.getId() + " has replicas " + shard(s) + ", below " + r);
      }
    }
    return below;
  }

  /** Shards with fewer than the replication factor of voters, or with a move in flight. */
  static Set<Integer> underReplicated(GetClusterResponse view) {
    int r = replication(view);
    Set<Integer> under = new TreeSet<>();
    for (ShardInfo s : view.getShardsList()) {
      if (Set.copyOf(s.getReplicasList()).size() < r || moving(s)) {
        under.add(s.getId());
      }
    }
    return under;
  }

  /**
   * Why the placement is not settled, or null once it is: the catalog lists exactly {@code
   * members}, each ACTIVE; every shard has the replication factor of distinct replicas, all on
   * members; no move in flight; the replicas spread over the members by count (most and fewest one
   * apart at most), so a node that just joined and holds nothing yet is not settled, though nothing
   * moves in the instant before its first move starts.
   */
  static String unsettled(GetClusterResponse view, Collection<String> members) {
    Set<String> listed = new TreeSet<>();
    for (NodeInfo n : view.getNodesList()) {
      listed.add(n.getId());
      if (n.getState() != NodeState.ACTIVE) {
        return "node " + n.getId() + " is " + n.getState();
      }
    }
    if (!listed.equals(new TreeSet<>(members))) {
      return "the catalog lists nodes " + listed + ", the run runs " + new TreeSet<>(members);
    }
    int r = replication(view);
    for (ShardInfo s : view.getShardsList()) {
      if (moving(s)) {
        return "shard " + s.getId() + " is moving: " + shard(s);
      }
      Set<String> replicas = new HashSet<>(s.getReplicasList());
      if (replicas.size() != r || replicas.size() != s.getReplicasCount()) {
        return "shard " + s.getId() + " has replicas " + s.getReplicasList() + ", not " + r;
      }
      if (!listed.containsAll(replicas)) {
        return "shard " + s.getId() + " has replicas " + s.getReplicasList() + " not all members";
      }
    }
    Map<String, Integer> held = new TreeMap<>();
    listed.forEach(id -> held.put(id, 0));
    view.getShardsList()
        .forEach(s -> s.getReplicasList().forEach(id -> held.merge(id, 1, Integer::sum)));
    int most = held.values().stream().max(Integer::compare).orElse(0);
    int fewest = held.values().stream().min(Integer::compare).orElse(0);
    if (most - fewest > 1) {
      return "replicas per node " + held + " not spread yet";
    }
    return null;
  }

  /** Each shard's replicas (voters) by shard id. */
  static Map<Integer, List<String>> replicas(GetClusterResponse view) {
    Map<Integer, List<String>> replicas = new TreeMap<>();
    for (ShardInfo s : view.getShardsList()) {
      replicas.put(s.getId(), List.copyOf(s.getReplicasList()));
    }
    return replicas;
  }

  /** Replicas and leaderships per node, e.g. {@code 1:4/1 2:3/2 6:3/1}, for the run's log. */
  static String counts(GetClusterResponse view) {
    List<String> parts = new ArrayList<>();
    for (NodeInfo n : view.getNodesList()) {
      parts.add(n.getId() + ":" + n.getReplicaCount() + "/" + n.getLeaderCount());
    }
    return String.join(" ", parts);
  }

  /**
   * The replication factor the answer gives (it is at most the number of nodes), or the nodes'
   * default where a node leaves it out.
   */
  static int replication(GetClusterResponse view) {
    return view.getReplication() > 0 ? view.getReplication() : ChaosOptions.REPLICATION;
  }

  private static boolean moving(ShardInfo s) {
    return s.hasMove()
        && !(s.getMove().getToNode().isEmpty() && s.getMove().getFromNode().isEmpty());
  }

  private static boolean movesTouch(ShardInfo s, String id) {
    return moving(s)
        && (s.getMove().getFromNode().equals(id) || s.getMove().getToNode().equals(id));
  }

  private static String shard(ShardInfo s) {
    return s.getReplicasList()
        + (moving(s)
            ? " moving " + s.getMove().getFromNode() + "->" + s.getMove().getToNode()
            : "");
  }

  private static NodeInfo node(GetClusterResponse view, String id) {
    return view.getNodesList().stream().filter(n -> n.getId().equals(id)).findAny().orElse(null);
  }

  /** The node ids the answer lists, in order. */
  static List<String> ids(GetClusterResponse view) {
    return view.getNodesList().stream().map(NodeInfo::getId).collect(Collectors.toList());
  }
}
