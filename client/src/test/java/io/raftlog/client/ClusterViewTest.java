package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.api.v1.SlotRange;
import io.raftlog.wire.StreamNames;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The client's view of the cluster alone: no node, no channel. Answers are built by hand, time is a
 * counter the test moves, and a refresh is only counted.
 */
class ClusterViewTest {
  private static final String A = "a:1";
  private static final String B = "b:2";
  private static final String C = "c:3";
  private static final Duration QUARANTINE = Duration.ofSeconds(2);

  private long now = 1_000_000_000L;
  private final AtomicInteger refreshes = new AtomicInteger();
  private final ClusterView view =
      new ClusterView(List.of(A), QUARANTINE, () -> now, refreshes::incrementAndGet);

  @Test
  void anAnswerTeachesTheMembersTheSlotMapAndEachShardsLeader() {
    assertEquals(-1, view.shardOf("orders"), "no slot map yet");
    view.learn(cluster("1", "2"));

    assertEquals(List.of(A, B, C), view.nodes());
    assertEquals(
        StreamNames.slotOf("orders") < StreamNames.SLOT_COUNT / 2 ? 0 : 1, view.shardOf("orders"));
    assertEquals(A, view.leaderOf(0));
    assertEquals(B, view.leaderOf(1));
    assertEquals(A, view.forShard(0));
    assertTrue(view.knowsMembers(), "a refresh may ask one node's own view now");
  }

  /**
   * The producer's sender sleeps up to 100 ms between rounds: without this news a shard waiting to
   * resend learned of its new leader only when it next woke.
   */
  @Test
  void aNewLeaderIsAnnouncedAndTheSameLeaderNamedAgainIsNot() {
    AtomicInteger changes = new AtomicInteger();
    view.onLeaderChange(changes::incrementAndGet);
    view.leads(0, A);
    view.leads(0, A);
    assertEquals(1, changes.get());
    view.observe(A, 0, Status.UNAVAILABLE, false, null);
    view.learn(cluster("2", "2"));
    assertEquals(3, changes.get(), "B leads shard 0 now, and shard 1 was not known");
  }

  @Test
  void aSingleNodeAnswerKeepsTheMembersAndALeaderItDoesNotKnow() {
    view.learn(cluster("1", "2"));
    GetClusterResponse local =
        GetClusterResponse.newBuilder()
            .addNodes(node("3", C))
            .addShards(ShardInfo.newBuilder().setId(0).setLeaderId("3"))
            .addShards(ShardInfo.newBuilder().setId(1))
            .build();
    view.learn(local);
    assertEquals(List.of(A, B, C), view.nodes(), "a local_only answer names no peers");
    assertEquals(C, view.leaderOf(0));
    assertEquals(B, view.leaderOf(1), "the answering node knew no leader of shard 1");
  }

  @Test
  void aSlotMapThatDoesNotCoverEverySlotIsIgnored() {
    view.learn(
        GetClusterResponse.newBuilder()
            .addNodes(node("1", A))
            .setSlotCount(StreamNames.SLOT_COUNT)
            .addSlots(SlotRange.newBuilder().setFirstSlot(0).setLastSlot(10).setShard(0))
            .build());
    assertNull(view.map());
  }

  @Test
  void anUnreachableNodeIsSkippedForTheQuarantineEvenWhenNamedLeader() {
    view.learn(cluster("1", "2"));
    view.observe(A, 0, Status.UNAVAILABLE, false, null);

    assertNull(view.leaderOf(0), "a node that cannot be reached leads nothing");
    assertTrue(refreshes.get() > 0, "and the view asks again");
    view.leads(0, A); // a stale node still names it
    Set<String> picked = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      picked.add(view.forShard(0));
    }
    assertFalse(picked.contains(A), "skipped while quarantined: " + picked);

    now += QUARANTINE.toNanos() + 1;
    assertEquals(A, view.forShard(0), "back once the quarantine has passed");
  }

  @Test
  void whenEveryNodeFailedRecentlyTheOneThatFailedFirstIsTried() {
    view.learn(cluster("1", "2"));
    view.observe(B, null, Status.DEADLINE_EXCEEDED, true, null);
    now += 1;
    view.observe(A, null, Status.UNAVAILABLE, false, null);
    now += 1;
    view.observe(C, null, Status.UNKNOWN, false, null);
    assertEquals(B, view.forRead());
  }

  @Test
  void aNodeThatAnswersItCannotServeTheShardIsForgottenAsItsLeader() {
    view.learn(cluster("1", "2"));
    int before = refreshes.get();
    view.observe(A, 0, Status.UNAVAILABLE, true, null);
    assertNull(view.leaderOf(0));
    assertTrue(refreshes.get() > before);
    Set<String> picked = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      picked.add(view.forRead());
    }
    assertTrue(picked.contains(A), "it answered: not quarantined");
  }

  @Test
  void theLeaderHeaderOfAnAnswerNamesTheShardsLeader() {
    view.learn(cluster("1", "2"));
    view.observe(A, 0, Status.OK, true, C);
    assertEquals(C, view.leaderOf(0));
    view.observe(C, 0, Status.UNAVAILABLE, true, B);
    assertEquals(B, view.leaderOf(0), "a node that does not lead names the one that does");
    view.observe(B, 0, Status.UNAVAILABLE, true, B);
    assertNull(view.leaderOf(0), "a node that says it leads but cannot serve is forgotten");
  }

  @Test
  void leadsNotIsTrueOnlyWhenAnotherNodeIsKnownToLead() {
    assertFalse(view.leadsNot(0, A), "no leader known");
    view.leads(0, A);
    assertFalse(view.leadsNot(0, A));
    assertTrue(view.leadsNot(0, B));
  }

  @Test
  void aShardIsUnknownUntilTheSlotMapArrivesAndTheWaitIsBounded() {
    RaftlogException e =
        assertThrows(
            RaftlogException.class,
            () -> realClockView().awaitShardOf("orders", TimeUnit.MILLISECONDS.toNanos(50)));
    assertEquals(Status.Code.UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("slot map is not known"), e.getMessage());
    view.learn(cluster("1", "2"));
    assertEquals(view.shardOf("orders"), view.awaitShardOf("orders", 0));
  }

  @Test
  void forShardRefreshesWhenItMustGuess() {
    int before = refreshes.get();
    assertEquals(A, view.forShard(0), "no leader known: any node");
    assertNotEquals(before, refreshes.get());
  }

  private ClusterView realClockView() {
    return new ClusterView(List.of(A), QUARANTINE, System::nanoTime, () -> {});
  }

  /** Three nodes a, b, c (ids 1-3); two shards splitting the slots, led by the given ids. */
  static GetClusterResponse cluster(String leader0, String leader1) {
    int half = StreamNames.SLOT_COUNT / 2;
    return GetClusterResponse.newBuilder()
        .addNodes(node("1", A))
        .addNodes(node("2", B))
        .addNodes(node("3", C))
        .addShards(ShardInfo.newBuilder().setId(0).setLeaderId(leader0))
        .addShards(ShardInfo.newBuilder().setId(1).setLeaderId(leader1))
        .setSlotCount(StreamNames.SLOT_COUNT)
        .addSlots(SlotRange.newBuilder().setFirstSlot(0).setLastSlot(half - 1).setShard(0))
        .addSlots(
            SlotRange.newBuilder()
                .setFirstSlot(half)
                .setLastSlot(StreamNames.SLOT_COUNT - 1)
                .setShard(1))
        .build();
  }

  private static NodeInfo node(String id, String address) {
    return NodeInfo.newBuilder().setId(id).setClientAddress(address).build();
  }
}
