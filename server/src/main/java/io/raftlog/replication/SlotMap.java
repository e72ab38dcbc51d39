package io.raftlog.replication;

import io.raftlog.api.v1.SlotRange;
import io.raftlog.wire.StreamNames;
import java.util.List;

/** Which shard holds each slot, and so each stream: an array lookup after one CRC-32. Immutable. */
public final class SlotMap {
  private final int[] shardOfSlot;
  private final List<SlotRange> ranges;

  SlotMap(List<SlotRange> ranges, int slotCount) {
    this.ranges = List.copyOf(ranges);
    this.shardOfSlot = new int[slotCount];
    java.util.Arrays.fill(shardOfSlot, -1);
    for (SlotRange r : ranges) {
      for (int s = r.getFirstSlot(); s <= r.getLastSlot(); s++) {
        shardOfSlot[s] = r.getShard();
      }
    }
    for (int s = 0; s < slotCount; s++) {
      if (shardOfSlot[s] < 0) {
        throw new IllegalArgumentException("slot " + s + " belongs to no shard");
      }
    }
  }

  /** The shard that holds {@code stream} (a valid name). */
  public int shardOf(String stream) {
    return shardOfSlot[StreamNames.slotOf(stream)];
  }

  /** The map as consecutive ranges, as GetCluster reports it. */
  public List<SlotRange> ranges() {
    return ranges;
  }

  public int slotCount() {
    return shardOfSlot.length;
  }
}
