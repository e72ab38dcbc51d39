package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raftlog nodes} and {@code raftlog shards} end to end against one real cluster of four
 * nodes in this JVM, each shard on three of them (so a node can be drained). The tests share it and
 * change it: the drain and removal of a node runs last.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MembershipCliTest {
  /** 18 replicas over 4 nodes: 5, 5, 4, 4, so a move from a 5 to a 4 keeps them balanced. */
  static final int SHARDS = 6;

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void startCluster() {
    cluster =
        InProcessCluster.start(
            dir,
            4,
            Map.of(
                "cluster.shards",
                String.valueOf(SHARDS),
                "cluster.replication",
                "3",
                "balance.interval-ms",
                "300"),
            RaftlogServer::start);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The cluster as its meta group's leader sees it (node 1 stays: it knows the leader). */
  static GetClusterResponse view() {
    GetClusterResponse one =
        cluster.blocking("1").getCluster(GetClusterRequest.getDefaultInstance());
    String leader = one.getLeaderId();
    return leader.isEmpty() || leader.equals("1")
        ? one
        : cluster.blocking(leader).getCluster(GetClusterRequest.getDefaultInstance());
  }

  /** Every node's client address but {@code except}'s, for --servers. */
  static String serversBut(String except) {
    return cluster.ids().stream()
        .filter(id -> !id.equals(except))
        .map(cluster::clientAddress)
        .collect(Collectors.joining(","));
  }

  static Cli.Result run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("-s", serversBut("")));
    return Cli.run(all.toArray(String[]::new));
  }

  static void assertOk(Cli.Result r) {
    assertEquals(0, r.exitCode(), r::toString);
    assertEquals("", r.err(), r::toString);
  }

  /** Exit code 4 and exactly one line on stderr, "raftlog: ...", holding {@code text}. */
  static void assertRefused(Cli.Result r, String text) {
    assertEquals(4, r.exitCode(), r::toString);
    assertEquals(1, r.errLines().size(), r::toString);
    assertTrue(r.err().startsWith("raftlog: "), r::toString);
    assertTrue(r.err().contains(text), r::toString);
    assertFalse(r.err().contains("\tat "), r::toString);
  }

  static ShardInfo shardOf(GetClusterResponse c, int id) {
    return KnownIds.findShard(c, id).orElseThrow();
  }

  static String[] fields(String line) {
    return line.trim().split("\\s+");
  }

  @Test
  @Order(1)
  void nodesListShowsEveryNodeActiveWithItsShareOfReplicasAndLeadersAndThreeMetaVoters() {
    Await.until(
        Duration.ofSeconds(20),
        "every shard's leader is known",
        () -> view().getShardsList().stream().noneMatch(s -> s.getLeaderId().isEmpty()));
    Cli.Result r = run("nodes", "list");
    assertOk(r);
    List<String> lines = r.outLines();
    assertEquals(5, lines.size(), r::toString);
    assertTrue(
        lines
            .get(0)
            .matches("ID\\s+ADDRESS\\s+RAFT\\s+STATE\\s+REPLICAS\\s+LEADERS\\s+META\\s+HEALTH"),
        r::toString);
    int replicas = 0;
    int voters = 0;
    for (int i = 0; i < 4; i++) {
      String[] f = fields(lines.get(1 + i));
      assertEquals(cluster.ids().get(i), f[0], r::toString);
      assertEquals(cluster.clientAddress(f[0]), f[1], r::toString);
      assertEquals("ACTIVE", f[3], r::toString);
      replicas += Integer.parseInt(f[4]);
      Integer.parseInt(f[5]);
      voters += f[6].equals("voter") ? 1 : 0;
      assertEquals("ok", f[7], r::toString);
    }
    assertEquals(SHARDS * 3, replicas, r::toString);
    assertEquals(3, voters, r::toString);
  }

  @Test
  @Order(2)
  void shardsListShowsTheMetaGroupThenEachShardOnThreeNodesWithNoMove() {
    Cli.Result r = run("shards", "list");
    assertOk(r);
    List<String> lines = r.outLines();
    assertEquals(2 + SHARDS, lines.size(), r::toString);
    assertTrue(lines.get(0).matches("SHARD\\s+LEADER\\s+REPLICAS\\s+MOVE"), r::toString);
    assertEquals("meta", fields(lines.get(1))[0], r::toString);
    for (int i = 0; i < SHARDS; i++) {
      String[] f = fields(lines.get(2 + i));
      assertEquals(String.valueOf(i), f[0], r::toString);
      List<String> holders = List.of(f[2].split(","));
      assertEquals(3, holders.size(), r::toString);
      // "-": the answering node holds no replica of the shard and has not learnt its leader
      assertTrue(holders.contains(f[1]) || f[1].equals("-"), "the leader holds a replica: " + r);
      assertEquals("-", f[3], r::toString);
    }
  }

  /**
   * A move of a shard's replica from a node holding the most replicas to one holding the fewest,
   * that does not hold the shard: one the planner's rebalancing does not undo.
   */
  static int[] balancedMove(GetClusterResponse c) {
    Map<String, Integer> load = new java.util.TreeMap<>();
    for (NodeInfo n : c.getNodesList()) {
      load.put(n.getId(), n.getReplicaCount());
    }
    int most = java.util.Collections.max(load.values());
    int fewest = java.util.Collections.min(load.values());
    for (ShardInfo s : c.getShardsList()) {
      for (String from : s.getReplicasList()) {
        for (String to : load.keySet()) {
          if (load.get(from) == most
              && load.get(to) == fewest
              && most > fewest
              && !s.getReplicasList().contains(to)) {
            return new int[] {s.getId(), Integer.parseInt(from), Integer.parseInt(to)};
          }
        }
      }
    }
    throw new AssertionError("no balanced move in " + c);
  }

  @Test
  @Order(3)
  void aMoveIsFollowedToItsEndAndAMoveTheServerRefusesIsOneLineWithExitCode4() {
    GetClusterResponse c = view();
    int[] m = balancedMove(c);
    List<String> before = shardOf(c, m[0]).getReplicasList();
    String shard = String.valueOf(m[0]);
    String from = String.valueOf(m[1]);
    String to = String.valueOf(m[2]);
    Cli.Result moved = run("shards", "move", shard, "--from", from, "--to", to, "--timeout", "40s");
    assertOk(moved);
    List<String> lines = moved.outLines();
    assertTrue(
        lines.get(0).equals("moving shard " + shard + ": " + from + "->" + to + " (operator)"),
        moved::toString);
    assertTrue(lines.size() >= 3, "progress, then the result: " + moved);
    // Progress: a line per change, each naming the shard and its replicas, and a line with the move
    // when a poll saw it running (a move that ends between two polls, answered from a node whose
    // catalog had not applied it yet, shows none: CI met one that took 0.6 s).
    for (String l : lines.subList(1, lines.size() - 1)) {
      assertTrue(
          l.matches(
              "\\[\\d+s\\] shard "
                  + shard
                  + ": replicas \\S+(; moving "
                  + from
                  + "->"
                  + to
                  + " \\(operator\\))?"),
          "progress line: " + l + " in " + moved);
    }
    assertEquals(lines.size(), new java.util.HashSet<>(lines).size(), "no line twice: " + moved);
    assertTrue(
        lines
            .get(lines.size() - 1)
            .startsWith("shard " + shard + " moved from node " + from + " to node " + to + ": "),
        moved::toString);
    ShardInfo after = shardOf(view(), m[0]);
    assertTrue(after.getReplicasList().contains(to), after::toString);
    assertFalse(after.getReplicasList().contains(from), after::toString);
    assertEquals(3, after.getReplicasCount(), after::toString);

    // node `from` holds the shard no longer: the server's refusal, as one line
    assertRefused(
        run("shards", "move", shard, "--from", from, "--to", to),
        "FAILED_PRECONDITION: node " + from + " holds no replica of shard " + shard);
  }

  @Test
  @Order(4)
  void theSameMoveRunAgainWhileItRunsFollowsIt() {
    int[] m = balancedMove(view());
    String[] move = {
      "shards",
      "move",
      String.valueOf(m[0]),
      "--from",
      String.valueOf(m[1]),
      "--to",
      String.valueOf(m[2])
    };
    Cli.Result started = run(concat(move, "--no-wait"));
    assertOk(started);
    assertTrue(started.out().endsWith("follow it with: raftlog shards list\n"), started::toString);
    Cli.Result again = run(concat(move, "--timeout", "40s"));
    if (again.exitCode() == 0) {
      assertTrue(again.out().startsWith("shard " + m[0] + " is moving already: "), again::toString);
      assertTrue(
          again.outLines().get(again.outLines().size() - 1).startsWith("shard " + m[0] + " moved"),
          again::toString);
    } else { // it was over already
      assertRefused(again, "FAILED_PRECONDITION");
    }
    Await.until(
        Duration.ofSeconds(40),
        "the move of shard " + m[0] + " done",
        () -> {
          ShardInfo s = shardOf(view(), m[0]);
          return !s.hasMove() && s.getReplicasList().contains(String.valueOf(m[2]));
        });
  }

  static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }

  @Test
  @Order(5)
  void transferLeaderHandsAShardAndTheMetaGroupToAnotherOfTheirReplicas() {
    ShardInfo s = shardOf(view(), 1);
    String to =
        s.getReplicasList().stream().filter(id -> !id.equals(s.getLeaderId())).findFirst().get();
    Cli.Result r = run("shards", "transfer-leader", "1", "--to", to);
    assertOk(r);
    assertEquals("shard 1's leader is now node " + to + "\n", r.out().replace("\r", ""));

    GetClusterResponse c = view();
    String metaTo =
        c.getMeta().getReplicasList().stream()
            .filter(id -> !id.equals(c.getMeta().getLeaderId()))
            .findFirst()
            .get();
    Cli.Result meta = run("shards", "transfer-leader", "--meta", "--to", metaTo);
    assertOk(meta);
    assertEquals(
        "the meta group's leader is now node " + metaTo + "\n", meta.out().replace("\r", ""));
    assertEquals(metaTo, view().getLeaderId());
  }

  @Test
  @Order(6)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aNodeHoldingReplicasIsRemovedOnlyOnceDrainedAndTheDrainShowsItsProgress() {
    String node = "4";
    NodeInfo n = KnownIds.findNode(view(), node).orElseThrow();
    assertTrue(n.getReplicaCount() > 0, n::toString);
    assertRefused(run("nodes", "remove", node), "FAILED_PRECONDITION");

    List<String> others = new ArrayList<>(cluster.ids());
    others.remove(node);
    Cli.Result drain = Cli.run("nodes", "drain", node, "--timeout", "100s", "-s", serversBut(node));
    assertOk(drain);
    List<String> lines = drain.outLines();
    assertEquals("node 4 is DRAINING", lines.get(0), drain::toString);
    assertTrue(lines.stream().anyMatch(l -> l.contains("node 4 DRAINING")), drain::toString);
    assertTrue(
        lines.get(lines.size() - 1).startsWith("node 4 is DRAINED: it holds no replica"),
        drain::toString);
    GetClusterResponse drained = view();
    for (ShardInfo s : drained.getShardsList()) {
      assertFalse(s.getReplicasList().contains(node), s::toString);
      assertEquals(3, s.getReplicasCount(), s::toString);
    }

    Cli.Result removed = Cli.run("nodes", "remove", node, "-s", serversBut(node));
    assertOk(removed);
    assertEquals("removed node 4 from the cluster\n", removed.out());
    // Any node answers: one whose catalog lags may list node 4 for a moment.
    Await.until(
        Duration.ofSeconds(10),
        "nodes list without node 4",
        () -> {
          Cli.Result list = Cli.run("nodes", "list", "-s", serversBut(node));
          assertOk(list);
          List<String> ids =
              list.outLines().subList(1, list.outLines().size()).stream()
                  .map(l -> fields(l)[0])
                  .toList();
          return ids.equals(others);
        });
  }
}
