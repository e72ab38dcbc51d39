package io.raftlog.replication;

import static io.raftlog.testkit.Records.idempotent;
import static io.raftlog.testkit.Records.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots: a node that lost its disk comes back through a snapshot, producer table included. */
class SnapshotCatchUpTest {
  static final int SNAPSHOT_EVERY = 20;

  @TempDir Path dir;

  /** Whether the node's replica of the shard that holds stream {@code default} has a snapshot. */
  private static boolean hasSnapshot(RaftlogServer node) {
    Path nodeDir = node.config().get(ConfigKeys.DATA_DIR);
    int shard = node.shardOf(io.raftlog.wire.StreamNames.DEFAULT);
    try (Stream<Path> s = Files.list(nodeDir.resolve("shards/" + shard + "/raft/snapshot"))) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith("snapshot_"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Three nodes that snapshot every {@link #SNAPSHOT_EVERY} entries. */
  private InProcessCluster<RaftlogServer> startCluster() {
    return InProcessCluster.start(
        dir,
        3,
        Map.of(ConfigKeys.SNAPSHOT_ENTRIES.name(), String.valueOf(SNAPSHOT_EVERY)),
        RaftlogServer::start);
  }

  @Test
  void aWipedNodeCatchesUpBySnapshotInstallAndKeepsIdempotence() throws Exception {
    try (InProcessCluster<RaftlogServer> cluster = startCluster()) {
      String leader = cluster.awaitLeader();
      String victim = cluster.aFollower();
      long producer = 4242;
      List<String> acknowledged = new ArrayList<>();
      ProduceResponse last = null;
      for (int seq = 0; seq < 5 * SNAPSHOT_EVERY; seq++) {
        last = cluster.blocking(leader).produce(idempotent(producer, seq, "r" + seq));
        acknowledged.add("r" + seq);
      }
      Await.until(
          Duration.ofSeconds(20),
          "every node to take a snapshot",
          () -> cluster.ids().stream().allMatch(id -> hasSnapshot(cluster.node(id))));

      cluster.stopNode(victim);
      cluster.wipeNode(victim);
      // A member that lost its data comes back as a new one: removed as dead first (issue 21).
      String other = cluster.ids().stream().filter(id -> !id.equals(victim)).findFirst().get();
      cluster
          .blocking(other)
          .removeNode(
              io.raftlog.api.v1.RemoveNodeRequest.newBuilder()
                  .setNodeId(victim)
                  .setDead(true)
                  .build());
      // More entries after the snapshot, so the wiped node needs the snapshot and then the log.
      for (int seq = 5 * SNAPSHOT_EVERY; seq < 5 * SNAPSHOT_EVERY + 7; seq++) {
        last = cluster.blocking(leader).produce(idempotent(producer, seq, "r" + seq));
        acknowledged.add("r" + seq);
      }
      cluster.startNode(victim);
      Await.until(
          Duration.ofSeconds(30),
          "the wiped node to hold the whole log again",
          // Its own replica's answer: a node without one forwards the read (issue 21).
          () ->
              cluster.node(victim).snapshotsInstalled() >= 1
                  && readAll(cluster.blocking(victim), Consistency.LOCAL).equals(acknowledged));
      assertEquals(
          1,
          cluster.node(victim).snapshotsInstalled(),
          "the leader had compacted its log, so the wiped node got a snapshot");
      assertEquals(
          1, shardInstallsCounted(cluster.node(victim)), "raftlog_snapshot_installs_total");

      // Every shard is back at three replicas (the repair moves onto the returned node are done)
      // before one of them is stopped.
      Await.until(
          Duration.ofSeconds(60),
          "every shard back at three replicas",
          () ->
              cluster
                  .blocking(leader)
                  .getCluster(io.raftlog.api.v1.GetClusterRequest.getDefaultInstance())
                  .getShardsList()
                  .stream()
                  .allMatch(s -> s.getReplicasCount() == 3 && !s.hasMove()));

      // The producer table came with the snapshot: if the wiped node leads, a retry is still a
      // duplicate.
      cluster.stopNode(leader);
      String newLeader = cluster.awaitLeader();
      long lastSeq = 5 * SNAPSHOT_EVERY + 6;
      ProduceResponse retry =
          cluster.blocking(newLeader).produce(idempotent(producer, lastSeq, "r" + lastSeq));
      assertTrue(retry.getDuplicate());
      assertEquals(last.getBaseOffset(), retry.getBaseOffset());
    }
  }

  @Test
  void aRestartedNodeKeepsItsStoreAndReplaysOnlyWhatItLacks() {
    try (InProcessCluster<RaftlogServer> cluster = startCluster()) {
      String leader = cluster.awaitLeader();
      List<String> acknowledged = new ArrayList<>();
      for (int i = 0; i < 3 * SNAPSHOT_EVERY + 5; i++) {
        cluster.blocking(leader).produce(io.raftlog.testkit.Records.batch("k" + i));
        acknowledged.add("k" + i);
      }
      for (String id : cluster.ids()) {
        cluster.stopNode(id);
      }
      for (String id : cluster.ids()) {
        cluster.startNode(id);
      }
      String newLeader = cluster.awaitLeader();
      assertEquals(acknowledged, readAll(cluster.blocking(newLeader), Consistency.LINEARIZABLE));
      for (String id : cluster.ids()) {
        assertEquals(0, cluster.node(id).snapshotsInstalled(), "store kept");
        assertEquals(0, shardInstallsCounted(cluster.node(id)), "no install counted");
        Await.until(
            Duration.ofSeconds(20),
            "node " + id + " to serve the whole log locally",
            () -> readAll(cluster.blocking(id), Consistency.LOCAL).equals(acknowledged));
      }
    }
  }

  /** The shard snapshot installs the node's metrics counted (raftlog_snapshot_installs_total). */
  private static double shardInstallsCounted(RaftlogServer node) {
    return node.meterRegistry().find("raftlog.snapshot.installs").functionCounters().stream()
        .filter(c -> !"meta".equals(c.getId().getTag("group")))
        .mapToDouble(io.micrometer.core.instrument.FunctionCounter::count)
        .sum();
  }
}
