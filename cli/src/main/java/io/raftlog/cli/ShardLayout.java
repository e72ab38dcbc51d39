package io.raftlog.cli;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.api.v1.SlotRange;
import io.raftlog.wire.StreamNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which shard holds a stream name and which node leads it, from one GetCluster answer (the slot
 * rule it documents, {@link StreamNames#slotOf(String, int)}, then the slot ranges). A benchmark
 * uses it to pick streams in distinct shards and to label its slow records; the leaders are those
 * of the moment it was asked. Immutable; any thread.
 */
final class ShardLayout {
  /** How many names {@link #spread} tries before giving up on a shard. */
  private static final int MAX_TRIES = 1_000_000;

  private final int slotCount;
  private final int[] shardOfSlot;
  private final Map<Integer, String> leaders = new LinkedHashMap<>();

  ShardLayout(GetClusterResponse cluster) {
    slotCount = cluster.getSlotCount();
    shardOfSlot = new int[slotCount];
    Arrays.fill(shardOfSlot, -1);
    for (SlotRange r : cluster.getSlotsList()) {
      for (int s = r.getFirstSlot(); s <= r.getLastSlot() && s < slotCount; s++) {
        shardOfSlot[s] = r.getShard();
      }
    }
    for (ShardInfo s : cluster.getShardsList()) {
      leaders.put(s.getId(), s.getLeaderId());
    }
  }

  /** The shard of {@code stream}, or -1 if the answer had no slot map. */
  int shardOf(String stream) {
    if (slotCount == 0) {
      return -1;
    }
    return shardOfSlot[StreamNames.slotOf(stream, slotCount)];
  }

  /** The id of the shard's leader when asked; empty if none was known. */
  String leaderOf(int shard) {
    return leaders.getOrDefault(shard, "");
  }

  /**
   * {@code count} names {@code prefix} + an index, each in a different shard, taking the shards in
   * turn by leader (a shard of the first leader, one of the second, ...; shards without a leader
   * last), so that the leaders of the first streams are on different nodes.
   *
   * @throws IllegalArgumentException if there are fewer shards than {@code count}
   */
  String[] spread(String prefix, int count) {
    if (count > leaders.size()) {
      throw new IllegalArgumentException(
          "--spread-shards " + count + " but the cluster has " + leaders.size() + " shards");
    }
    List<Integer> order = interleavedByLeader();
    String[] byShard = new String[maxShard() + 1];
    int found = 0;
    for (int i = 0; i < MAX_TRIES && found < count; i++) {
      String name = prefix + i;
      int shard = shardOf(name);
      if (shard >= 0 && byShard[shard] == null && order.indexOf(shard) < count) {
        byShard[shard] = name;
        found++;
      }
    }
    String[] names = new String[count];
    for (int i = 0; i < count; i++) {
      names[i] = byShard[order.get(i)];
      if (names[i] == null) {
        throw new IllegalArgumentException(
            "no name " + prefix + "N falls in shard " + order.get(i));
      }
    }
    return names;
  }

  private List<Integer> interleavedByLeader() {
    Map<String, List<Integer>> byLeader = new LinkedHashMap<>();
    List<Integer> leaderless = new ArrayList<>();
    for (Map.Entry<Integer, String> e : leaders.entrySet()) {
      if (e.getValue().isEmpty()) {
        leaderless.add(e.getKey());
      } else {
        byLeader.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int round = 0; order.size() + leaderless.size() < leaders.size(); round++) {
      for (List<Integer> shards : byLeader.values()) {
        if (round < shards.size()) {
          order.add(shards.get(round));
        }
      }
    }
    order.addAll(leaderless);
    return order;
  }

  private int maxShard() {
    int max = 0;
    for (int s : shardOfSlot) {
      max = Math.max(max, s);
    }
    for (int s : leaders.keySet()) {
      max = Math.max(max, s);
    }
    return max;
  }
}
