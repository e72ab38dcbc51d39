package io.raftlog.chaos;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.chaos.audit.Numbering;
import io.raftlog.testkit.NodeClients;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster's shards as the run found them once the nodes were up: each shard's replicas, and the
 * shard of each of the run's streams. Fixed for the whole run.
 */
record Shards(Map<Integer, List<String>> replicas, List<Integer> shardOf) {
  Shards {
    replicas = new TreeMap<>(replicas);
    shardOf = List.copyOf(shardOf);
  }

  /** From one node's view of the cluster, for streams {@code 0 .. streams - 1}. */
  static Shards of(GetClusterResponse view, int streams) {
    Map<Integer, List<String>> replicas = new TreeMap<>();
    for (ShardInfo s : view.getShardsList()) {
      replicas.put(s.getId(), List.copyOf(s.getReplicasList()));
    }
    List<Integer> shardOf = new ArrayList<>(streams);
    for (int i = 0; i < streams; i++) {
      shardOf.add(NodeClients.shardOf(view, Numbering.streamName(i)));
    }
    return new Shards(replicas, shardOf);
  }

  /** Whether node {@code id} holds a replica of stream {@code stream}'s shard. */
  boolean holds(String id, int stream) {
    return replicas.get(shardOf.get(stream)).contains(id);
  }
}
