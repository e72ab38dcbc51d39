package io.raftlog.replication;

import io.raftlog.api.v1.NodeState;
import io.raftlog.api.v1.SlotRange;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.ClusterLayout;
import io.raftlog.internal.v1.NodeEntry;
import io.raftlog.internal.v1.ShardReplicas;
import io.raftlog.wire.StreamNames;
import java.util.List;

/**
 * The layout a cluster is formed with, derived from a node's config alone, so that every node
 * computes the same one and can start its shard replicas before the catalog is reachable.
 */
final class Layouts {
  private Layouts() {}

  /**
   * Shard {@code i}'s replicas are {@code replication} consecutive nodes of {@code cluster.peers}
   * (in id order) from node {@code i mod N}; shard {@code i} of {@code S} holds slots {@code
   * [i*SLOTS/S, (i+1)*SLOTS/S)}.
   */
  static ClusterLayout initial(NodeConfig config) {
    List<Peer> peers = config.get(ConfigKeys.CLUSTER_PEERS);
    int n = peers.size();
    int shards = config.get(ConfigKeys.CLUSTER_SHARDS);
    int replication = config.effectiveReplication();
    ClusterLayout.Builder b =
        ClusterLayout.newBuilder().setSlotCount(StreamNames.SLOT_COUNT).setReplication(replication);
    for (Peer p : peers) {
      b.addNodes(
          NodeEntry.newBuilder()
              .setId(p.id())
              .setRaftAddress(p.raftAddress())
              .setClientAddress(p.clientAddress())
              .setState(NodeState.ACTIVE));
    }
    for (int i = 0; i < shards; i++) {
      ShardReplicas.Builder s = ShardReplicas.newBuilder().setId(i);
      for (int k = 0; k < replication; k++) {
        s.addReplicas(peers.get((i + k) % n).id());
      }
      b.addShards(s);
    }
    return b.addAllSlots(slotRanges(shards)).build();
  }

  /**
   * The slot map of {@code cluster.shards}: what a node that joins uses until the catalog's arrives
   * (the same, as long as its config gives the same shard count).
   */
  static SlotMap slots(NodeConfig config) {
    return new SlotMap(slotRanges(config.get(ConfigKeys.CLUSTER_SHARDS)), StreamNames.SLOT_COUNT);
  }

  private static List<SlotRange> slotRanges(int shards) {
    List<SlotRange> out = new java.util.ArrayList<>();
    for (int i = 0; i < shards; i++) {
      out.add(
          SlotRange.newBuilder()
              .setFirstSlot((int) ((long) i * StreamNames.SLOT_COUNT / shards))
              .setLastSlot((int) ((long) (i + 1) * StreamNames.SLOT_COUNT / shards) - 1)
              .setShard(i)
              .build());
    }
    return out;
  }
}
