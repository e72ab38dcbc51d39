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
import org.junit.jupiter.api.Disabled;
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
@Disabled(MembershipCliTest.NEEDS_CORE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MembershipCliTest {
  static final int SHARDS = 4;

  /**
   * Why the tests of the membership calls wait: the server answers them UNIMPLEMENTED until then.
   */
  static final String NEEDS_CORE =
      "needs issue 21's core (the catalog's node states, DrainNode, RemoveNode, MoveReplica,"
          + " TransferLeader and GetCluster answering fully with R < N) on main";

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void startCluster() {
    cluster =
        InProcessCluster.start(
            dir,
            4,
            Map.of("cluster.shards", String.valueOf(SHARDS), "cluster.replication", "3"),
            RaftlogServer::start);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The cluster as its meta group's leader sees it. */
  static GetClusterResponse view() {
    return cluster
        .blocking(cluster.awaitLeader())
        .getCluster(GetClusterRequest.getDefaultInstance());
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
      assertTrue(holders.contains(f[1]), "the leader holds a replica: " + r);
      assertEquals("-", f[3], r::toString);
    }
  }

  @Test
  @Order(3)
  void aMoveFollowedToItsEndPutsTheShardOnTheNewNodeAndASecondMoveMeanwhileIsRefused() {
    ShardInfo before = shardOf(view(), 0);
    String from = before.getReplicas(0);
    String to =
        cluster.ids().stream()
            .filter(id -> !before.getReplicasList().contains(id))
            .findFirst()
            .get();
    Cli.Result started = run("shards", "move", "0", "--from", from, "--to", to, "--no-wait");
    assertOk(started);
    assertTrue(started.out().startsWith("moving shard 0: " + from + "->" + to), started::toString);

    // Another move of the shard is refused by the server (while this one runs, or once node `to`
    // holds the shard): one line, exit code 4. The same move again follows it to its end (or is
    // refused in turn if it is over already).
    String other =
        before.getReplicasList().stream().filter(id -> !id.equals(from)).findFirst().get();
    assertRefused(run("shards", "move", "0", "--from", other, "--to", to), "FAILED_PRECONDITION");
    Cli.Result again = run("shards", "move", "0", "--from", from, "--to", to, "--timeout", "30s");
    if (again.exitCode() == 0) {
      assertTrue(again.out().startsWith("shard 0 is moving already: "), again::toString);
      assertTrue(
          again.outLines().get(again.outLines().size() - 1).startsWith("shard 0 moved from node "),
          again::toString);
    } else {
      assertRefused(again, "FAILED_PRECONDITION");
    }
    Await.until(
        Duration.ofSeconds(30),
        "shard 0 moved from " + from + " to " + to,
        () -> {
          ShardInfo s = shardOf(view(), 0);
          return !s.hasMove()
              && s.getReplicasList().contains(to)
              && !s.getReplicasList().contains(from);
        });
    // and back, followed by the command itself
    Cli.Result back = run("shards", "move", "0", "--from", to, "--to", from, "--timeout", "30s");
    assertOk(back);
    List<String> lines = back.outLines();
    assertTrue(lines.get(0).startsWith("moving shard 0: " + to + "->" + from), back::toString);
    assertTrue(lines.size() >= 3, "a progress line, then the result: " + back);
    assertTrue(
        lines
            .get(lines.size() - 1)
            .startsWith("shard 0 moved from node " + to + " to node " + from),
        back::toString);
    ShardInfo after = shardOf(view(), 0);
    assertTrue(after.getReplicasList().contains(from), after::toString);
    assertFalse(after.getReplicasList().contains(to), after::toString);
  }

  @Test
  @Order(4)
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
    Await.until(
        Duration.ofSeconds(10),
        "node " + metaTo + " leads the meta group",
        () -> cluster.awaitLeader().equals(metaTo));
  }

  @Test
  @Order(5)
  void aNodeHoldingReplicasIsRemovedOnlyOnceDrainedAndTheDrainShowsItsProgress() {
    String node = "4";
    NodeInfo n = KnownIds.findNode(view(), node).orElseThrow();
    assertTrue(n.getReplicaCount() > 0, n::toString);
    assertRefused(run("nodes", "remove", node), "FAILED_PRECONDITION");

    List<String> others = new ArrayList<>(cluster.ids());
    others.remove(node);
    Cli.Result drain = Cli.run("nodes", "drain", node, "--timeout", "45s", "-s", serversBut(node));
    assertOk(drain);
    List<String> lines = drain.outLines();
    assertTrue(lines.get(0).startsWith("draining node 4: "), drain::toString);
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
    Cli.Result list = Cli.run("nodes", "list", "-s", serversBut(node));
    assertOk(list);
    assertEquals(
        others,
        list.outLines().subList(1, list.outLines().size()).stream().map(l -> fields(l)[0]).toList(),
        list::toString);
  }
}
