package io.raftlog.replication;

import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.ClusterLayout;
import io.raftlog.internal.v1.NodeEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Who the cluster's nodes are and where they listen: the catalog's node list once this node has
 * applied it, else the nodes of {@code cluster.peers} (a node forming the cluster), and always this
 * node itself. A node that joined later is known by every node once its entry is applied. Safe on
 * any thread: each lookup reads the catalog's current (immutable) layout.
 */
public final class Members {
  private final NodeConfig config;
  private final Supplier<ClusterLayout> layout;

  Members(NodeConfig config, Supplier<ClusterLayout> layout) {
    this.config = config;
    this.layout = layout;
  }

  /** Every known node by id, in id order (this node included). */
  public Map<String, Peer> all() {
    Map<String, Peer> out = new java.util.TreeMap<>();
    config.get(io.raftlog.config.ConfigKeys.CLUSTER_PEERS).forEach(p -> out.put(p.id(), p));
    ClusterLayout l = layout.get();
    if (l != null && l.getNodesCount() > 0) {
      out.clear();
      for (NodeEntry n : l.getNodesList()) {
        out.put(n.getId(), new Peer(n.getId(), n.getRaftAddress(), n.getClientAddress()));
      }
    }
    out.putIfAbsent(config.self().id(), config.self());
    return out;
  }

  /** The node with id {@code id}, or null. */
  public Peer byId(String id) {
    return all().get(id);
  }

  /** The node whose Raft transport is {@code raftAddress}, or null. */
  public Peer byRaftAddress(String raftAddress) {
    for (Peer p : all().values()) {
      if (p.raftAddress().equals(raftAddress)) {
        return p;
      }
    }
    return null;
  }

  /** The nodes with these ids that are known, in the given order. */
  List<Peer> byIds(List<String> ids) {
    Map<String, Peer> known = all();
    Map<String, Peer> out = new LinkedHashMap<>();
    ids.forEach(
        id -> {
          Peer p = known.get(id);
          if (p != null) {
            out.put(id, p);
          }
        });
    return List.copyOf(out.values());
  }
}
