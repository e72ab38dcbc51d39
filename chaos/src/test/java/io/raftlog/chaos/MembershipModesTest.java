package io.raftlog.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.testkit.ProcessCluster;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Modes move and replace as the fault loop picks their faults, without starting a node: move
 * alternates a join-and-drain of the picked shard's leader with a kill of it, replace replaces the
 * leader; both start five nodes and refuse too few; mixed never draws them. And a joiner's config:
 * its own addresses and cluster.join, no cluster.peers.
 */
class MembershipModesTest {
  @TempDir Path dir;

  private ProcessCluster fiveNodes() throws Exception {
    Path jar = Files.createFile(dir.resolve("raftlog-server.jar")); // laid out, never run
    return new ProcessCluster(dir.resolve("nodes"), 5, jar, Map.of("cluster.replication", "3"));
  }

  private static Situation situation(ProcessCluster nodes, int round, Membership members) {
    return new Situation(
        nodes,
        null,
        Map.of(),
        1,
        List.of("2", "3", "4"),
        Map.of(0, "1", 1, "3", 2, "3"),
        new Random(7),
        round,
        members);
  }

  private static Membership members(ProcessCluster nodes) {
    return new Membership(nodes, new PrintStream(OutputStream.nullOutputStream()));
  }

  @Test
  void moveDrainsTheLeaderEveryOtherFaultAndKillsItBetween() throws Exception {
    try (ProcessCluster nodes = fiveNodes()) {
      Membership members = members(nodes);
      for (int round = 0; round < 4; round++) {
        Disruption d = Disruptions.pick(Mode.MOVE, situation(nodes, round, members));
        assertEquals(List.of("3"), d.targets(), "the picked shard's leader");
        assertEquals(List.of("1", "2", "4", "5"), d.survivors());
        if (round % 2 == 0) {
          assertInstanceOf(JoinAndDrain.class, d);
          assertEquals("move", d.kind());
        } else {
          assertInstanceOf(SignalNode.class, d);
          assertEquals("leader", d.kind());
        }
        assertFalse(d.mustStepDown());
      }
    }
  }

  @Test
  void replaceReplacesThePickedShardsLeader() throws Exception {
    try (ProcessCluster nodes = fiveNodes()) {
      Disruption d = Disruptions.pick(Mode.REPLACE, situation(nodes, 0, members(nodes)));
      assertInstanceOf(ReplaceNode.class, d);
      assertEquals("replace", d.kind());
      assertEquals(List.of("3"), d.targets());
    }
  }

  @Test
  void membershipFaultsNeedTheMembershipCalls() throws Exception {
    try (ProcessCluster nodes = fiveNodes()) {
      assertThrows(
          IllegalStateException.class,
          () -> Disruptions.pick(Mode.REPLACE, situation(nodes, 0, null)));
      assertThrows(
          IllegalStateException.class,
          () -> Disruptions.pick(Mode.MOVE, situation(nodes, 0, null)));
    }
  }

  @Test
  void mixedNeverDrawsAMembershipChange() {
    List<Mode> kinds = Disruptions.mixedKinds(true, true);
    assertFalse(kinds.contains(Mode.MOVE));
    assertFalse(kinds.contains(Mode.REPLACE));
  }

  @Test
  void membershipModesStartFiveNodesAndRefuseThree() {
    assertEquals(Mode.MOVE, Mode.parse("move"));
    assertEquals(Mode.REPLACE, Mode.parse("REPLACE"));
    assertEquals(5, Mode.MOVE.defaultNodes());
    assertEquals(5, Mode.REPLACE.defaultNodes());
    assertEquals(3, Mode.LEADER.defaultNodes());
    assertTrue(Mode.MOVE.changesMembers() && Mode.REPLACE.changesMembers());
    assertFalse(Mode.MIXED.changesMembers());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> options(Mode.REPLACE, 3));
    assertTrue(e.getMessage().contains("more than 3 nodes"), e.getMessage());
    assertEquals(4, options(Mode.MOVE, 4).nodes());
    assertEquals(3, options(Mode.LEADER, 3).nodes());
  }

  private ChaosOptions options(Mode mode, int nodes) {
    return new ChaosOptions(
        mode,
        Duration.ofSeconds(10),
        Duration.ofSeconds(5),
        Duration.ofSeconds(1),
        100,
        100,
        10,
        nodes,
        dir.resolve("run"),
        dir.resolve("jar"),
        false);
  }

  /**
   * A joiner's config names itself, its addresses and the other nodes to join through, and no
   * cluster.peers (with them it would try to form a cluster of its own); a removed node leaves the
   * run's nodes and its id is never given again; a joiner can take a removed node's addresses.
   */
  @Test
  void aJoinerIsLaidOutWithClusterJoinAndRemovedNodesLeaveTheRun() throws Exception {
    try (ProcessCluster nodes = fiveNodes()) {
      List<String> join = nodes.clientAddresses();
      assertEquals("6", nodes.addJoiner(null, null));
      assertEquals(List.of("1", "2", "3", "4", "5", "6"), nodes.ids());
      Properties p = properties("6");
      assertEquals("6", p.getProperty("node.id"));
      assertEquals(nodes.raftAddress("6"), p.getProperty("node.raft-address"));
      assertEquals(nodes.clientAddress("6"), p.getProperty("node.client-address"));
      assertEquals(String.join(",", join), p.getProperty("cluster.join"));
      assertEquals(dir.resolve("nodes/node-6/data").toString(), p.getProperty("data.dir"));
      assertEquals("3", p.getProperty("cluster.replication"));
      assertFalse(p.containsKey("cluster.peers"), p::toString);

      String raft2 = nodes.raftAddress("2");
      String client2 = nodes.clientAddress("2");
      nodes.remove("2");
      nodes.remove("6");
      assertEquals(List.of("1", "3", "4", "5"), nodes.ids());
      assertEquals("7", nodes.addJoiner(raft2, client2), "a removed node's id is not given again");
      assertEquals(List.of("1", "3", "4", "5", "7"), nodes.ids());
      Properties seven = properties("7");
      assertEquals(raft2, seven.getProperty("node.raft-address"));
      assertEquals(client2, seven.getProperty("node.client-address"));
      assertFalse(seven.getProperty("cluster.join").contains(client2), seven::toString);
    }
  }

  private Properties properties(String id) throws Exception {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(dir.resolve("nodes/node-" + id + "/node.properties"))) {
      p.load(in);
    }
    return p;
  }
}
