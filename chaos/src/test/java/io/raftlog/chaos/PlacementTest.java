package io.raftlog.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.NodeState;
import io.raftlog.api.v1.ReplicaMove;
import io.raftlog.api.v1.ShardInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the membership modes wait for, read from GetCluster answers: a drained node holds nothing
 * anywhere, a settled placement has every shard at its replication factor on the run's nodes with
 * nothing moving. Each case is one the modes could otherwise take for done too early.
 */
class PlacementTest {
  private static NodeInfo node(String id, NodeState state, int replicas) {
    return NodeInfo.newBuilder().setId(id).setState(state).setReplicaCount(replicas).build();
  }

  private static ShardInfo shard(int id, String... replicas) {
    return ShardInfo.newBuilder().setId(id).addAllReplicas(List.of(replicas)).build();
  }

  private static ShardInfo moving(int id, String from, String to, String... replicas) {
    return shard(id, replicas).toBuilder()
        .setMove(ReplicaMove.newBuilder().setFromNode(from).setToNode(to).setReason("drain"))
        .build();
  }

  private static GetClusterResponse view(List<NodeInfo> nodes, ShardInfo... shards) {
    return GetClusterResponse.newBuilder()
        .addAllNodes(nodes)
        .addAllShards(List.of(shards))
        .setReplication(3)
        .build();
  }

  private static final List<NodeInfo> FOUR_ACTIVE =
      List.of(
          node("1", NodeState.ACTIVE, 2),
          node("2", NodeState.ACTIVE, 2),
          node("3", NodeState.ACTIVE, 1),
          node("4", NodeState.ACTIVE, 1));

  @Test
  void aDrainedNodeHoldsNothingAnywhere() {
    List<NodeInfo> nodes =
        List.of(
            node("1", NodeState.ACTIVE, 2),
            node("2", NodeState.ACTIVE, 2),
            node("3", NodeState.ACTIVE, 2),
            node("4", NodeState.DRAINED, 0));
    assertNull(
        Placement.notDrained(view(nodes, shard(0, "1", "2", "3"), shard(1, "2", "3", "1")), "4"));
  }

  @Test
  void drainingIsNotDrained() {
    List<NodeInfo> nodes =
        List.of(
            node("1", NodeState.ACTIVE, 2),
            node("2", NodeState.ACTIVE, 2),
            node("3", NodeState.ACTIVE, 1),
            node("4", NodeState.DRAINING, 1));
    String why =
        Placement.notDrained(view(nodes, shard(0, "1", "2", "3"), shard(1, "2", "4", "1")), "4");
    assertNotNull(why);
    assertTrue(why.contains("DRAINING"), why);
  }

  /** The state may be written before the last move's end is: the shards are the word. */
  @Test
  void drainedStateWithAMoveFromItStillRunningIsNotDrained() {
    List<NodeInfo> nodes =
        List.of(
            node("1", NodeState.ACTIVE, 2),
            node("2", NodeState.ACTIVE, 2),
            node("3", NodeState.ACTIVE, 2),
            node("4", NodeState.DRAINED, 0));
    String why =
        Placement.notDrained(
            view(nodes, shard(0, "1", "2", "3"), moving(1, "4", "3", "2", "4", "1")), "4");
    assertNotNull(why);
    assertTrue(why.contains("shard 1"), why);
  }

  @Test
  void aRemovedNodeIsNotDrained() {
    assertNotNull(Placement.notDrained(view(FOUR_ACTIVE, shard(0, "1", "2", "3")), "5"));
  }

  @Test
  void aShardBelowItsReplicationOrMovingIsUnderReplicated() {
    GetClusterResponse v =
        view(
            FOUR_ACTIVE,
            shard(0, "1", "2", "3"),
            shard(1, "1", "2"),
            moving(2, "", "4", "1", "2", "3"),
            shard(3, "2", "3", "4"));
    assertEquals(Set.of(1, 2), Placement.underReplicated(v));
  }

  @Test
  void settledWhenEveryShardHasItsReplicasOnTheRunsNodesAndNothingMoves() {
    GetClusterResponse v = view(FOUR_ACTIVE, shard(0, "1", "2", "3"), shard(1, "1", "2", "4"));
    assertNull(Placement.unsettled(v, List.of("1", "2", "3", "4")));
    assertEquals(
        Map.of(0, List.of("1", "2", "3"), 1, List.of("1", "2", "4")), Placement.replicas(v));
  }

  @Test
  void notSettledWhileAShardMoves() {
    GetClusterResponse v =
        view(FOUR_ACTIVE, shard(0, "1", "2", "3"), moving(1, "1", "3", "1", "2", "4"));
    assertTrue(Placement.unsettled(v, List.of("1", "2", "3", "4")).contains("moving"));
  }

  @Test
  void notSettledWithAShardBelowItsReplication() {
    GetClusterResponse v = view(FOUR_ACTIVE, shard(0, "1", "2", "3"), shard(1, "1", "2"));
    assertNotNull(Placement.unsettled(v, List.of("1", "2", "3", "4")));
  }

  @Test
  void notSettledWithAReplicaTwiceOnOneNode() {
    GetClusterResponse v = view(FOUR_ACTIVE, shard(0, "1", "2", "3"), shard(1, "1", "2", "2"));
    assertNotNull(Placement.unsettled(v, List.of("1", "2", "3", "4")));
  }

  /** A node removed as dead that the catalog still lists, or a joiner it does not list yet. */
  @Test
  void notSettledUntilTheCatalogListsExactlyTheRunsNodes() {
    GetClusterResponse v = view(FOUR_ACTIVE, shard(0, "1", "2", "3"), shard(1, "1", "2", "4"));
    assertNotNull(Placement.unsettled(v, List.of("1", "2", "3")));
    assertNotNull(Placement.unsettled(v, List.of("1", "2", "3", "4", "5")));
  }

  /**
   * Right after a node joins nothing moves yet, for an instant: a replace run once took that for
   * settled, read the shards' replicas then, and the planner's first move took a replica away from
   * under the final reads.
   */
  @Test
  void notSettledWhileAJoinedNodeHoldsNothing() {
    List<NodeInfo> five = new java.util.ArrayList<>(FOUR_ACTIVE);
    five.add(node("6", NodeState.ACTIVE, 0));
    GetClusterResponse v =
        view(five, shard(0, "1", "2", "3"), shard(1, "1", "2", "4"), shard(2, "3", "4", "1"));
    assertTrue(
        Placement.unsettled(v, List.of("1", "2", "3", "4", "6")).contains("not spread"),
        () -> Placement.unsettled(v, List.of("1", "2", "3", "4", "6")));
    GetClusterResponse spread =
        view(five, shard(0, "1", "2", "3"), shard(1, "6", "2", "4"), shard(2, "3", "4", "1"));
    assertNull(Placement.unsettled(spread, List.of("1", "2", "3", "4", "6")));
  }

  @Test
  void notSettledWhileANodeIsDrainingOrDrained() {
    List<NodeInfo> nodes =
        List.of(
            node("1", NodeState.ACTIVE, 2),
            node("2", NodeState.ACTIVE, 2),
            node("3", NodeState.ACTIVE, 2),
            node("4", NodeState.DRAINED, 0));
    GetClusterResponse v = view(nodes, shard(0, "1", "2", "3"), shard(1, "1", "2", "3"));
    assertTrue(Placement.unsettled(v, List.of("1", "2", "3", "4")).contains("DRAINED"));
  }

  @Test
  void aNodeIsRegisteredOnceActive() {
    List<NodeInfo> nodes = List.of(node("1", NodeState.ACTIVE, 2), node("6", NodeState.DRAINED, 0));
    GetClusterResponse v = view(nodes, shard(0, "1"));
    assertTrue(Placement.active(v, "1"));
    assertFalse(Placement.active(v, "6"));
    assertFalse(Placement.active(v, "7"));
  }

  /** A node that leaves the factor out (built before it was in GetCluster): the default, 3. */
  @Test
  void replicationDefaultsToThree() {
    assertEquals(3, Placement.replication(GetClusterResponse.getDefaultInstance()));
    assertEquals(
        2, Placement.replication(GetClusterResponse.newBuilder().setReplication(2).build()));
  }

  /** A move adds the new replica before the old one leaves: a shard with two voters is below. */
  @Test
  void aShardWithFewerVotersThanItsReplicationIsBelowIt() {
    GetClusterResponse v =
        view(
            FOUR_ACTIVE,
            shard(0, "1", "2", "3"),
            moving(1, "4", "3", "1", "2", "4"),
            shard(2, "1", "2"),
            shard(3, "1", "1", "2"));
    assertEquals(
        List.of("shard 2 has replicas [1, 2], below 3", "shard 3 has replicas [1, 1, 2], below 3"),
        Placement.belowReplication(v));
  }
}
