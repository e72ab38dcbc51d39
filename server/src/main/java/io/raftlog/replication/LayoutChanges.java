package io.raftlog.replication;

import io.raftlog.api.v1.NodeState;
import io.raftlog.api.v1.ReplicaMove;
import io.raftlog.internal.v1.CatalogEntry;
import io.raftlog.internal.v1.ClusterLayout;
import io.raftlog.internal.v1.NodeEntry;
import io.raftlog.internal.v1.ShardMove;
import io.raftlog.internal.v1.ShardReplicas;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The membership entries of the catalog applied to a layout: pure functions of the layout and the
 * entry, so every replica of the meta group computes the same next layout. An entry that does not
 * fit the layout (a move of a shard already moving, a node already gone) changes nothing.
 */
final class LayoutChanges {
  private LayoutChanges() {}

  static ClusterLayout apply(ClusterLayout l, CatalogEntry e) {
    return switch (e.getKindCase()) {
      case ADD_NODE -> addNode(l, e.getAddNode());
      case SET_NODE_STATE ->
          setState(l, e.getSetNodeState().getNodeId(), e.getSetNodeState().getState());
      case REMOVE_NODE -> removeNode(l, e.getRemoveNode().getNodeId());
      case BEGIN_MOVE -> beginMove(l, e.getBeginMove());
      case END_MOVE -> endMove(l, e.getEndMove());
      case ABORT_MOVE -> abortMove(l, e.getAbortMove());
      default -> l;
    };
  }

  /** One line for the log. */
  static String describe(CatalogEntry e) {
    return switch (e.getKindCase()) {
      case ADD_NODE ->
          "node "
              + e.getAddNode().getId()
              + " registered ("
              + e.getAddNode().getClientAddress()
              + ", raft "
              + e.getAddNode().getRaftAddress()
              + ")";
      case SET_NODE_STATE ->
          "node " + e.getSetNodeState().getNodeId() + " is " + e.getSetNodeState().getState();
      case REMOVE_NODE ->
          "node "
              + e.getRemoveNode().getNodeId()
              + " removed"
              + (e.getRemoveNode().getDead() ? " as dead" : "");
      case BEGIN_MOVE ->
          "shard " + e.getBeginMove().getShard() + ": move " + move(e.getBeginMove());
      case END_MOVE -> "shard " + e.getEndMove().getShard() + ": moved " + move(e.getEndMove());
      case ABORT_MOVE ->
          "shard " + e.getAbortMove().getShard() + ": move given up " + move(e.getAbortMove());
      default -> e.getKindCase().toString();
    };
  }

  private static String move(ShardMove m) {
    ReplicaMove r = m.getMove();
    return (r.getFromNode().isEmpty() ? "(new replica)" : "from node " + r.getFromNode())
        + " to node "
        + r.getToNode()
        + " ("
        + r.getReason()
        + ")";
  }

  private static ClusterLayout addNode(ClusterLayout l, NodeEntry n) {
    List<NodeEntry> nodes = new ArrayList<>();
    boolean replaced = false;
    for (NodeEntry old : l.getNodesList()) {
      if (old.getId().equals(n.getId())) {
        nodes.add(
            old.toBuilder()
                .setRaftAddress(n.getRaftAddress())
                .setClientAddress(n.getClientAddress())
                .setCheckedIn(old.getCheckedIn() || n.getCheckedIn())
                .build());
        replaced = true;
      } else {
        nodes.add(old);
      }
    }
    if (!replaced) {
      nodes.add(n.toBuilder().setState(NodeState.ACTIVE).build());
    }
    nodes.sort(Comparator.comparing(NodeEntry::getId));
    return l.toBuilder().clearNodes().addAllNodes(nodes).build();
  }

  private static ClusterLayout setState(ClusterLayout l, String id, NodeState state) {
    ClusterLayout.Builder b = l.toBuilder();
    for (int i = 0; i < b.getNodesCount(); i++) {
      if (b.getNodes(i).getId().equals(id)) {
        b.setNodes(i, b.getNodes(i).toBuilder().setState(state));
      }
    }
    return b.build();
  }

  private static ClusterLayout removeNode(ClusterLayout l, String id) {
    ClusterLayout.Builder b = l.toBuilder().clearNodes();
    l.getNodesList().stream().filter(n -> !n.getId().equals(id)).forEach(b::addNodes);
    for (int i = 0; i < b.getShardsCount(); i++) {
      ShardReplicas s = b.getShards(i);
      ShardReplicas.Builder sb = s.toBuilder().clearReplicas();
      s.getReplicasList().stream().filter(r -> !r.equals(id)).forEach(sb::addReplicas);
      if (s.hasMove()) {
        if (s.getMove().getToNode().equals(id)) {
          sb.clearMove(); // its target is gone: the move is over
        } else if (s.getMove().getFromNode().equals(id)) {
          sb.setMove(s.getMove().toBuilder().setFromNode("")); // now only adds a replica
        }
      }
      b.setShards(i, sb);
    }
    return b.build();
  }

  private static ClusterLayout beginMove(ClusterLayout l, ShardMove m) {
    ShardReplicas s = shard(l, m.getShard());
    if (s == null || s.hasMove() || s.getReplicasList().contains(m.getMove().getToNode())) {
      return l;
    }
    return withShard(l, s.toBuilder().setMove(m.getMove()).build());
  }

  private static ClusterLayout endMove(ClusterLayout l, ShardMove m) {
    ShardReplicas s = shard(l, m.getShard());
    if (s == null || !s.hasMove() || !s.getMove().getToNode().equals(m.getMove().getToNode())) {
      return l;
    }
    List<String> replicas = new ArrayList<>(s.getReplicasList());
    String from = s.getMove().getFromNode();
    String to = s.getMove().getToNode();
    int at = replicas.indexOf(from);
    if (at >= 0) {
      replicas.set(at, to);
    } else if (!replicas.contains(to)) {
      replicas.add(to);
    }
    return withShard(l, s.toBuilder().clearMove().clearReplicas().addAllReplicas(replicas).build());
  }

  private static ClusterLayout abortMove(ClusterLayout l, ShardMove m) {
    ShardReplicas s = shard(l, m.getShard());
    if (s == null || !s.hasMove()) {
      return l;
    }
    return withShard(l, s.toBuilder().clearMove().build());
  }

  static ShardReplicas shard(ClusterLayout l, int id) {
    for (ShardReplicas s : l.getShardsList()) {
      if (s.getId() == id) {
        return s;
      }
    }
    return null;
  }

  private static ClusterLayout withShard(ClusterLayout l, ShardReplicas s) {
    ClusterLayout.Builder b = l.toBuilder();
    for (int i = 0; i < b.getShardsCount(); i++) {
      if (b.getShards(i).getId() == s.getId()) {
        b.setShards(i, s);
      }
    }
    return b.build();
  }

  /** The nodes that should hold a replica of {@code s}: its voters and a move's target. */
  static List<String> holders(ShardReplicas s) {
    List<String> out = new ArrayList<>(s.getReplicasList());
    if (s.hasMove() && !out.contains(s.getMove().getToNode())) {
      out.add(s.getMove().getToNode());
    }
    return out;
  }

  /** Whether the node has checked in (kept the cluster id in its data directory). */
  static boolean checkedIn(ClusterLayout l, String id) {
    return l.getNodesList().stream().anyMatch(n -> n.getId().equals(id) && n.getCheckedIn());
  }

  /** The node's state in the layout; null for a node it does not hold. */
  static NodeState state(ClusterLayout l, String id) {
    for (NodeEntry n : l.getNodesList()) {
      if (n.getId().equals(id)) {
        return n.getState() == NodeState.NODE_STATE_UNKNOWN ? NodeState.ACTIVE : n.getState();
      }
    }
    return null;
  }
}
