package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.NodeState;
import io.raftlog.api.v1.ReplicaMove;
import io.raftlog.api.v1.Role;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.client.RaftlogException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code raftlog nodes} and {@code raftlog shards} without a cluster: their tables, the judges that
 * follow a drain and a move, the progress line, and the usage errors picocli catches.
 */
class MembershipTablesTest {
  static final long NOW = 1_000_000_000L;

  static NodeInfo node(String id, NodeState state, int replicas, int leaders, boolean voter) {
    return NodeInfo.newBuilder()
        .setId(id)
        .setClientAddress("127.0.0.1:900" + id)
        .setRaftAddress("127.0.0.1:800" + id)
        .setRole(Role.FOLLOWER)
        .setState(state)
        .setReplicaCount(replicas)
        .setLeaderCount(leaders)
        .setMetaVoter(voter)
        .build();
  }

  static ShardInfo shard(int id, String leader, String... replicas) {
    return ShardInfo.newBuilder()
        .setId(id)
        .setLeaderId(leader)
        .addAllReplicas(List.of(replicas))
        .build();
  }

  static ReplicaMove move(String from, String to, String reason, long startedMs) {
    return ReplicaMove.newBuilder()
        .setFromNode(from)
        .setToNode(to)
        .setReason(reason)
        .setStartedMs(startedMs)
        .build();
  }

  /** Four nodes, node 4 draining with shard 1 moving off it. */
  static final GetClusterResponse DRAINING =
      GetClusterResponse.newBuilder()
          .addNodes(node("1", NodeState.ACTIVE, 2, 1, true))
          .addNodes(node("2", NodeState.ACTIVE, 2, 1, true))
          .addNodes(node("3", NodeState.ACTIVE, 1, 0, true))
          .addNodes(node("4", NodeState.DRAINING, 1, 0, false))
          .setMeta(shard(0, "1", "1", "2", "3"))
          .addShards(shard(0, "1", "1", "2", "3"))
          .addShards(
              shard(1, "2", "2", "4", "1").toBuilder()
                  .setMove(move("4", "3", "drain", NOW - 12_500)))
          .build();

  @Test
  void nodesListHasOneRowPerNodeIdFirstWithStateCountsAndMetaVote() {
    List<String[]> rows = NodesCommand.ListNodes.rows(DRAINING);
    assertEquals(
        List.of("ID", "ADDRESS", "RAFT", "STATE", "REPLICAS", "LEADERS", "META", "HEALTH"),
        List.of(rows.get(0)));
    assertEquals(5, rows.size());
    assertEquals(
        List.of("1", "127.0.0.1:9001", "127.0.0.1:8001", "ACTIVE", "2", "1", "voter", "ok"),
        List.of(rows.get(1)));
    assertEquals(
        List.of("4", "127.0.0.1:9004", "127.0.0.1:8004", "DRAINING", "1", "0", "learner", "ok"),
        List.of(rows.get(4)));
  }

  @Test
  void aNodeThatDoesNotReportItsStandingShowsDashesNotZeros() {
    NodeInfo old =
        NodeInfo.newBuilder().setId("1").setRole(Role.UNREACHABLE).setError("timed out").build();
    String[] row =
        NodesCommand.ListNodes.rows(GetClusterResponse.newBuilder().addNodes(old).build()).get(1);
    assertEquals(List.of("-", "-", "-", "-"), List.of(row).subList(3, 7));
    assertEquals("unreachable: timed out", row[7]);
  }

  @Test
  void shardsListHasTheMetaGroupThenEachShardWithItsMoveInFlight() {
    List<String[]> rows = ShardsCommand.ListShards.rows(DRAINING, NOW);
    assertEquals(List.of("SHARD", "LEADER", "REPLICAS", "MOVE"), List.of(rows.get(0)));
    assertEquals(List.of("meta", "1", "1,2,3", "-"), List.of(rows.get(1)));
    assertEquals(List.of("0", "1", "1,2,3", "-"), List.of(rows.get(2)));
    assertEquals(List.of("1", "2", "2,4,1", "4->3 (drain, 12s)"), List.of(rows.get(3)));
  }

  @Test
  void aMoveShowsNoAgeWithoutAStartOrFromAClockAhead() {
    assertEquals("1->2 (operator)", ShardsCommand.move(move("1", "2", "operator", 0), NOW));
    assertEquals("1->2", ShardsCommand.move(move("1", "2", "", NOW + 5_000), NOW));
    assertEquals("1->2 (1m5s)", ShardsCommand.move(move("1", "2", "", NOW - 65_000), NOW));
    assertEquals("1->2 (drain)", ShardsCommand.move(move("1", "2", "drain", NOW - 65_000), -1));
  }

  @Test
  void clusterShowsEachNodesStateBeforeItsHealthAndALinePerMoveInFlight() {
    StringWriter text = new StringWriter();
    ClusterCommand.print(new PrintWriter(text), DRAINING, NOW);
    List<String> lines = text.toString().lines().toList();
    // STATE comes before HEALTH, so scripts that read the columns before it read the same ones
    assertEquals(
        List.of("ID", "ADDRESS", "ROLE", "TERM", "COMMIT", "APPLIED", "STATE", "HEALTH", "HTTP"),
        List.of(lines.get(0).split("\\s+")));
    assertEquals(
        List.of("4", "127.0.0.1:9004", "FOLLOWER", "0", "0", "0", "DRAINING", "ok", "-"),
        List.of(lines.get(4).split("\\s+")));
    // the shard table keeps its columns, the replicas among them
    assertEquals(
        List.of("SHARD", "LEADER", "REPLICAS", "TERM", "COMMIT", "APPLIED"),
        List.of(lines.get(6).split("\\s+")));
    assertEquals(List.of("1", "2", "2,4,1", "0", "0", "0"), List.of(lines.get(9).split("\\s+")));
    assertEquals("shard 1 moving 4->3 (drain, 12s)", lines.get(lines.size() - 1));
  }

  @Test
  void unknownIdsAreRefusedAsNotFoundNamingTheIdsThereAre() {
    RaftlogException node =
        assertThrows(RaftlogException.class, () -> KnownIds.node(DRAINING, "9"));
    assertEquals(Status.Code.NOT_FOUND, node.code());
    assertEquals("no node '9' in the cluster; its nodes are 1, 2, 3, 4", node.getMessage());
    RaftlogException shard =
        assertThrows(RaftlogException.class, () -> KnownIds.shard(DRAINING, 7));
    assertEquals(Status.Code.NOT_FOUND, shard.code());
    assertEquals("no shard 7 in the cluster; its shards are 0 to 1", shard.getMessage());
    assertEquals(4, Failures.exitCode(node.code()));
  }

  @Test
  void aDrainGoesOnWhileDrainingAndIsDoneOnceDrainedOrRemoved() {
    NodesCommand.Drain drain = new NodesCommand.Drain(CliContext.of(null, java.util.Map.of()));
    drain.node = "4";
    ClusterWatch.Seen going = drain.judge(DRAINING, Duration.ZERO);
    assertFalse(going.done());
    assertEquals(null, going.failure());
    assertEquals("node 4 DRAINING: 1 replica, leads 0; moving shard 1 to 3", going.status());

    GetClusterResponse drained =
        DRAINING.toBuilder().setNodes(3, node("4", NodeState.DRAINED, 0, 0, false)).build();
    ClusterWatch.Seen done = drain.judge(drained, Duration.ofSeconds(3));
    assertTrue(done.done(), done::toString);
    assertTrue(done.status().contains("raftlog nodes remove 4"), done::toString);

    assertTrue(drain.judge(DRAINING.toBuilder().removeNodes(3).build(), Duration.ZERO).done());

    // a node that answers from an older catalog may show it ACTIVE for a moment: not a failure
    GetClusterResponse active =
        DRAINING.toBuilder().setNodes(3, node("4", NodeState.ACTIVE, 1, 0, false)).build();
    assertEquals(null, drain.judge(active, Duration.ofSeconds(5)).failure());
    assertEquals(
        "node 4 is no longer draining", drain.judge(active, Duration.ofMillis(5_001)).failure());
  }

  @Test
  void aMoveIsDoneWhenTheTargetHoldsTheShardAndTheSourceNoLonger() {
    ShardsCommand.Move m = new ShardsCommand.Move(CliContext.of(null, java.util.Map.of()));
    m.shard = 1;
    m.from = "4";
    m.to = "3";
    ClusterWatch.Seen going = m.judge(DRAINING, Duration.ofSeconds(1));
    assertFalse(going.done());
    // no age in a status: off a terminal a new status is a new line
    assertEquals("shard 1: replicas 2,4,1; moving 4->3 (drain)", going.status());

    // the move's learner has caught up and voted, the old replica not yet gone: still going
    GetClusterResponse both =
        DRAINING.toBuilder().setShards(1, shard(1, "2", "2", "4", "1", "3")).build();
    assertFalse(m.judge(both, Duration.ofSeconds(2)).done());
    assertEquals(null, m.judge(both, Duration.ofSeconds(2)).failure());

    GetClusterResponse moved =
        DRAINING.toBuilder().setShards(1, shard(1, "2", "2", "3", "1")).build();
    ClusterWatch.Seen done = m.judge(moved, Duration.ofSeconds(3));
    assertTrue(done.done(), done::toString);
    assertEquals("shard 1 moved from node 4 to node 3: shard 1: replicas 2,3,1", done.status());
  }

  @Test
  void aMoveOutOfSightAndNotDoneForFiveSecondsIsAbandoned() {
    ShardsCommand.Move m = new ShardsCommand.Move(CliContext.of(null, java.util.Map.of()));
    m.shard = 1;
    m.from = "4";
    m.to = "3";
    GetClusterResponse gone =
        DRAINING.toBuilder().setShards(1, shard(1, "2", "2", "4", "1")).build();
    assertEquals(null, m.judge(DRAINING, Duration.ofSeconds(10)).failure());
    assertEquals(null, m.judge(gone, Duration.ofSeconds(15)).failure());
    String why = m.judge(gone, Duration.ofMillis(15_001)).failure();
    assertTrue(why != null && why.contains("no longer in progress"), why);
  }

  @Test
  void offATerminalTheProgressIsOneLinePerChange() {
    StringWriter text = new StringWriter();
    StatusLine line = new StatusLine(new PrintWriter(text), false);
    line.show(Duration.ofMillis(200), "a");
    line.show(Duration.ofMillis(700), "a");
    line.show(Duration.ofMillis(1_700), "b");
    line.show(Duration.ofSeconds(65), "b");
    line.end();
    assertEquals("[0s] a\n[1s] b\n", text.toString().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void onATerminalTheProgressIsOneLineRewrittenInPlace() {
    StringWriter text = new StringWriter();
    StatusLine line = new StatusLine(new PrintWriter(text), true);
    line.show(Duration.ZERO, "long status");
    line.show(Duration.ofSeconds(1), "short");
    line.end();
    assertEquals(
        "\r[0s] long status\r[1s] short      \n",
        text.toString().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void aWatchReturnsWhenDoneFailsOnAFailureAndGivesUpAtItsTimeout() throws Exception {
    Deque<GetClusterResponse> answers = new ArrayDeque<>(List.of(DRAINING, DRAINING));
    StringWriter text = new StringWriter();
    ClusterWatch watch =
        new ClusterWatch(
            () -> answers.isEmpty() ? GetClusterResponse.getDefaultInstance() : answers.poll(),
            new StatusLine(new PrintWriter(text), false),
            Duration.ofMillis(1));
    ClusterWatch.Seen seen =
        watch.await(
            "x",
            Duration.ofSeconds(10),
            (c, elapsed) ->
                c.getNodesCount() == 0
                    ? ClusterWatch.Seen.done("done")
                    : ClusterWatch.Seen.going("going"));
    assertEquals("done", seen.status());
    // one line for the two answers that said the same, none for the result (the caller's)
    assertEquals("[0s] going\n", text.toString().replace(System.lineSeparator(), "\n"));

    RaftlogException failed =
        assertThrows(
            RaftlogException.class,
            () ->
                watch.await(
                    "x", Duration.ofSeconds(10), (c, e) -> ClusterWatch.Seen.failed("st", "why")));
    assertEquals(Status.Code.UNKNOWN, failed.code());
    assertEquals("why (st)", failed.getMessage());

    RaftlogException late =
        assertThrows(
            RaftlogException.class,
            () ->
                watch.await(
                    "the drain of node 4",
                    Duration.ofMillis(20),
                    (c, e) -> ClusterWatch.Seen.going("still at it")));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, late.code());
    assertEquals(3, Failures.exitCode(late.code()));
    assertEquals(
        "stopped following the drain of node 4 after 20ms (--timeout); it goes on in the"
            + " cluster: still at it",
        late.getMessage());
  }

  @Test
  void anInterruptEndsTheWaitSayingTheChangeGoesOn() throws Exception {
    StringWriter err = new StringWriter();
    ClusterWatch watch =
        new ClusterWatch(
            () -> DRAINING,
            new StatusLine(new PrintWriter(new StringWriter()), true),
            Duration.ofMillis(10));
    java.util.concurrent.atomic.AtomicReference<Object> answer =
        new java.util.concurrent.atomic.AtomicReference<>("none");
    Thread t =
        new Thread(
            () ->
                answer.set(
                    watch.awaitUnlessStopped(
                        "the drain of node 4",
                        Duration.ofMinutes(1),
                        (c, e) -> ClusterWatch.Seen.going("at it"),
                        new PrintWriter(err))));
    t.start();
    Thread.sleep(100);
    t.interrupt();
    t.join(5_000);
    assertEquals(null, answer.get());
    assertEquals(
        "raftlog: interrupted; the drain of node 4 goes on in the cluster", err.toString().trim());
  }

  @Test
  void withNoWaitTheCommandPointsAtWhereToFollowTheChangeAndLooksAtNothing() {
    WaitOptions waiting = new WaitOptions();
    waiting.noWait = true;
    waiting.timeout = Duration.ofMinutes(1);
    StringWriter out = new StringWriter();
    int code =
        waiting.follow(
            () -> {
              throw new AssertionError("looked at the cluster");
            },
            new PrintWriter(out),
            new PrintWriter(new StringWriter()),
            false,
            "the drain of node 4",
            "raftlog nodes list",
            (c, e) -> ClusterWatch.Seen.going("x"));
    assertEquals(0, code);
    assertEquals("follow it with: raftlog nodes list", out.toString().trim());

    waiting.noWait = false;
    out = new StringWriter();
    code =
        waiting.follow(
            () -> DRAINING,
            new PrintWriter(out),
            new PrintWriter(new StringWriter()),
            false,
            "the drain of node 4",
            "raftlog nodes list",
            (c, e) -> ClusterWatch.Seen.done("node 4 is DRAINED"));
    assertEquals(0, code);
    assertEquals("node 4 is DRAINED", out.toString().trim());
  }

  @Test
  void usageErrorsOfTheMembershipCommandsExitTwoBeforeAnyCall() {
    for (String[] args :
        List.of(
            new String[] {"nodes"},
            new String[] {"nodes", "drain"},
            new String[] {"nodes", "remove"},
            new String[] {"nodes", "drain", "4", "--timeout", "0"},
            new String[] {"shards"},
            new String[] {"shards", "move", "1", "--to", "2"},
            new String[] {"shards", "move", "x", "--from", "1", "--to", "2"},
            new String[] {"shards", "move", "1", "--from", "2", "--to", "2"},
            new String[] {"shards", "transfer-leader", "--to", "2"},
            new String[] {"shards", "transfer-leader", "1", "--meta", "--to", "2"},
            new String[] {"shards", "transfer-leader", "1"})) {
      Cli.Result r = Cli.run(args);
      assertEquals(2, r.exitCode(), () -> String.join(" ", args) + "\n" + r);
      assertEquals("", r.out(), r::toString);
      assertFalse(r.err().isEmpty(), r::toString);
    }
  }

  @Test
  void everyMembershipCommandHasHelp() {
    for (String c :
        List.of(
            "nodes",
            "nodes list",
            "nodes drain",
            "nodes remove",
            "shards",
            "shards list",
            "shards move",
            "shards transfer-leader")) {
      Cli.Result r = Cli.run((c + " --help").split(" "));
      assertEquals(0, r.exitCode(), r::toString);
      assertTrue(r.out().startsWith("Usage: raftlog " + c), r::toString);
    }
  }
}
