package io.raftlog.client;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.SlotRange;
import io.raftlog.wire.StreamNames;
import java.util.Arrays;
import java.util.List;

/**
 * The cluster's slot map as {@code GetCluster} gave it: which shard holds each slot, so the client
 * finds a stream's shard from its name without asking. Immutable; the {@link ClusterView} swaps in
 * a new one when an answer brings a different map. (Shard leaders change far more often than the
 * map and are kept beside it, in the view.)
 */
final class ShardMap {
  private final int slotCount;
  // Ranges in slot order: firstSlots[i] .. firstSlots[i+1]-1 (or slotCount-1) live in shards[i].
  private final int[] firstSlots;
  private final int[] shards;

  private ShardMap(int slotCount, int[] firstSlots, int[] shards) {
    this.slotCount = slotCount;
    this.firstSlots = firstSlots;
    this.shards = shards;
  }

  /**
   * The map of {@code ranges}, which must cover 0 to {@code slotCount - 1} in order, consecutive.
   *
   * @throws IllegalArgumentException if they do not
   */
  static ShardMap of(int slotCount, List<SlotRange> ranges) {
    if (slotCount < 1) {
      throw new IllegalArgumentException("slot count " + slotCount);
    }
    int[] firsts = new int[ranges.size()];
    int[] shards = new int[ranges.size()];
    int next = 0;
    for (int i = 0; i < ranges.size(); i++) {
      SlotRange r = ranges.get(i);
      if (r.getFirstSlot() != next || r.getLastSlot() < r.getFirstSlot()) {
        throw new IllegalArgumentException(
            "slot range "
                + r.getFirstSlot()
                + ".."
                + r.getLastSlot()
                + " does not start at "
                + next);
      }
      firsts[i] = r.getFirstSlot();
      shards[i] = r.getShard();
      next = r.getLastSlot() + 1;
    }
    if (next != slotCount) {
      throw new IllegalArgumentException(
          "slot ranges end at " + (next - 1) + ", not at " + (slotCount - 1));
    }
    return new ShardMap(slotCount, firsts, shards);
  }

  /**
   * The map in a {@code GetCluster} answer, or null when it has none (an answer from a node that
   * has not formed yet).
   *
   * @throws IllegalArgumentException if the ranges do not cover every slot
   */
  static ShardMap from(GetClusterResponse cluster) {
    if (cluster.getSlotCount() == 0 || cluster.getSlotsCount() == 0) {
      return null;
    }
    return of(cluster.getSlotCount(), cluster.getSlotsList());
  }

  int slotCount() {
    return slotCount;
  }

  /** The slot of {@code stream}: CRC-32 of its UTF-8 bytes modulo this map's slot count. */
  int slotOf(String stream) {
    return StreamNames.slotOf(stream, slotCount);
  }

  /** The shard that holds {@code stream}. */
  int shardOf(String stream) {
    return shardOfSlot(slotOf(stream));
  }

  /** The shard that holds {@code slot}. */
  int shardOfSlot(int slot) {
    if (slot < 0 || slot >= slotCount) {
      throw new IllegalArgumentException("slot " + slot + " is not in 0.." + (slotCount - 1));
    }
    int i = Arrays.binarySearch(firstSlots, slot);
    return shards[i >= 0 ? i : -i - 2];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardMap m
        && m.slotCount == slotCount
        && Arrays.equals(m.firstSlots, firstSlots)
        && Arrays.equals(m.shards, shards);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(firstSlots) + Arrays.hashCode(shards);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("ShardMap[");
    for (int i = 0; i < shards.length; i++) {
      int last = i + 1 < shards.length ? firstSlots[i + 1] - 1 : slotCount - 1;
      b.append(i == 0 ? "" : ", ").append(firstSlots[i]).append("..").append(last);
      b.append("->").append(shards[i]);
    }
    return b.append(']').toString();
  }
}
