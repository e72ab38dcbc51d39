package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.SlotRange;
import io.raftlog.wire.StreamNames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** The slot map: a stream's shard from its name, at and around every range's edges. */
class ShardMapTest {
  private static final int SLOTS = StreamNames.SLOT_COUNT;

  @Test
  void everySlotMapsToTheShardWhoseRangeHoldsItIncludingTheEdges() {
    int shards = 6;
    ShardMap map = ShardMap.of(SLOTS, layout(shards));
    for (int i = 0; i < shards; i++) {
      int first = i * SLOTS / shards;
      int last = (i + 1) * SLOTS / shards - 1;
      assertEquals(i, map.shardOfSlot(first), "first slot of shard " + i);
      assertEquals(i, map.shardOfSlot(last), "last slot of shard " + i);
      assertEquals(i, map.shardOfSlot((first + last) / 2));
      if (i > 0) {
        assertEquals(i - 1, map.shardOfSlot(first - 1), "the slot before shard " + i);
      }
    }
    assertEquals(0, map.shardOfSlot(0));
    assertEquals(shards - 1, map.shardOfSlot(SLOTS - 1));
    assertThrows(IllegalArgumentException.class, () -> map.shardOfSlot(SLOTS));
    assertThrows(IllegalArgumentException.class, () -> map.shardOfSlot(-1));
  }

  @Test
  void aStreamsShardIsTheShardOfItsSlot() {
    ShardMap map = ShardMap.of(SLOTS, layout(6));
    for (String name : List.of("default", "orders", "a", "x/y:z-1.2_3", "stream-99999")) {
      assertEquals(StreamNames.slotOf(name), map.slotOf(name));
      assertEquals(map.shardOfSlot(StreamNames.slotOf(name)), map.shardOf(name), name);
    }
  }

  @Test
  void oneRangeAndSingleSlotRangesWork() {
    ShardMap one = ShardMap.of(SLOTS, List.of(range(0, SLOTS - 1, 7)));
    assertEquals(7, one.shardOf("anything"));
    ShardMap singles = ShardMap.of(3, List.of(range(0, 0, 2), range(1, 1, 0), range(2, 2, 1)));
    assertEquals(
        List.of(2, 0, 1),
        List.of(singles.shardOfSlot(0), singles.shardOfSlot(1), singles.shardOfSlot(2)));
  }

  @Test
  void anotherSlotCountHashesModuloThatCount() {
    ShardMap map = ShardMap.of(16, List.of(range(0, 7, 0), range(8, 15, 1)));
    CRC32 crc = new CRC32();
    crc.update("orders".getBytes(StandardCharsets.UTF_8));
    int slot = (int) (crc.getValue() % 16);
    assertEquals(slot, map.slotOf("orders"));
    assertEquals(slot < 8 ? 0 : 1, map.shardOf("orders"));
  }

  @Test
  void rangesThatLeaveAGapOverlapOrStopShortAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ShardMap.of(SLOTS, List.of(range(0, 10, 0), range(12, SLOTS - 1, 1))));
    assertThrows(
        IllegalArgumentException.class,
        () -> ShardMap.of(SLOTS, List.of(range(0, 10, 0), range(10, SLOTS - 1, 1))));
    assertThrows(
        IllegalArgumentException.class, () -> ShardMap.of(SLOTS, List.of(range(0, 10, 0))));
    assertThrows(
        IllegalArgumentException.class, () -> ShardMap.of(SLOTS, List.of(range(1, SLOTS - 1, 0))));
    assertThrows(IllegalArgumentException.class, () -> ShardMap.of(SLOTS, List.of()));
  }

  @Test
  void aGetClusterAnswerGivesTheMapOrNothing() {
    assertNull(ShardMap.from(GetClusterResponse.getDefaultInstance()));
    GetClusterResponse answer =
        GetClusterResponse.newBuilder().setSlotCount(SLOTS).addAllSlots(layout(3)).build();
    assertEquals(ShardMap.of(SLOTS, layout(3)), ShardMap.from(answer));
  }

  /** The design's initial layout: shard i of n gets [i*SLOTS/n, (i+1)*SLOTS/n). */
  static List<SlotRange> layout(int shards) {
    List<SlotRange> out = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      out.add(range(i * SLOTS / shards, (i + 1) * SLOTS / shards - 1, i));
    }
    return out;
  }

  static SlotRange range(int first, int last, int shard) {
    return SlotRange.newBuilder().setFirstSlot(first).setLastSlot(last).setShard(shard).build();
  }
}
