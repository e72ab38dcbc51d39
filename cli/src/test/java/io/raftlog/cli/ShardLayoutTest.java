package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.api.v1.SlotRange;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Picking streams in distinct shards, their leaders on the nodes in turn. */
class ShardLayoutTest {
  /** 16 slots over shards 0-3 (4 slots each); shards 0 and 1 led by node 1, 2 by 2, 3 by 3. */
  static final GetClusterResponse CLUSTER =
      GetClusterResponse.newBuilder()
          .setSlotCount(16)
          .addSlots(SlotRange.newBuilder().setFirstSlot(0).setLastSlot(3).setShard(0))
          .addSlots(SlotRange.newBuilder().setFirstSlot(4).setLastSlot(7).setShard(1))
          .addSlots(SlotRange.newBuilder().setFirstSlot(8).setLastSlot(11).setShard(2))
          .addSlots(SlotRange.newBuilder().setFirstSlot(12).setLastSlot(15).setShard(3))
          .addShards(ShardInfo.newBuilder().setId(0).setLeaderId("1"))
          .addShards(ShardInfo.newBuilder().setId(1).setLeaderId("1"))
          .addShards(ShardInfo.newBuilder().setId(2).setLeaderId("2"))
          .addShards(ShardInfo.newBuilder().setId(3).setLeaderId("3"))
          .build();

  static int slot(String name) {
    CRC32 crc = new CRC32();
    crc.update(name.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % 16);
  }

  @Test
  void aStreamsShardIsItsCrcSlotsShard() {
    ShardLayout layout = new ShardLayout(CLUSTER);
    for (String name : List.of("a", "orders", "bench-000001", "x-17")) {
      assertEquals(slot(name) / 4, layout.shardOf(name), name);
    }
  }

  @Test
  void spreadTakesOneShardPerLeaderInTurn() {
    ShardLayout layout = new ShardLayout(CLUSTER);
    String[] names = layout.spread("s-", 4);
    int[] shards = Arrays.stream(names).mapToInt(layout::shardOf).toArray();
    assertEquals(List.of(0, 2, 3, 1), Arrays.stream(shards).boxed().toList());
    assertEquals(
        List.of("1", "2", "3", "1"),
        Arrays.stream(shards).mapToObj(layout::leaderOf).toList(),
        "the first three on three different nodes");
    assertEquals(
        List.of(0, 2, 3), Arrays.stream(layout.spread("s-", 3)).map(layout::shardOf).toList());
  }

  @Test
  void spreadRefusesMoreStreamsThanShards() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new ShardLayout(CLUSTER).spread("s-", 5));
    assertEquals("--spread-shards 5 but the cluster has 4 shards", e.getMessage());
  }
}
