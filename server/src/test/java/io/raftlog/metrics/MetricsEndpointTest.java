package io.raftlog.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.MoveReplicaRequest;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} over real HTTP from every node of a real cluster: every meter
 * docs/metrics.md lists is exported with the tags it says, and the meters move with what the
 * cluster does.
 */
class MetricsEndpointTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int N = 10;

  @TempDir Path dir;

  private static Map<String, String> settings(String... more) {
    Map<String, String> s = new HashMap<>();
    s.put("http.port", ClusterLayout.HTTP_PORT_FREE);
    s.put("cluster.shards", "2");
    for (int i = 0; i < more.length; i += 2) {
      s.put(more[i], more[i + 1]);
    }
    return s;
  }

  private static Scrape scrape(InProcessCluster<RaftlogServer> cluster, String id) {
    Scrape s = Scrape.of(cluster.node(id).httpAddress());
    assertEquals(200, s.status(), "GET /metrics of node " + id);
    return s;
  }

  private static double sum(
      InProcessCluster<RaftlogServer> cluster, String name, Map<String, String> labels) {
    double sum = 0;
    for (String id : cluster.ids()) {
      if (cluster.node(id) != null) {
        sum += scrape(cluster, id).value(name, labels);
      }
    }
    return sum;
  }

  /** The groups node {@code id} holds a replica of: the meta group and its shards. */
  private static List<String> groupsOf(InProcessCluster<RaftlogServer> cluster, String id) {
    List<String> groups = new ArrayList<>(List.of("meta"));
    for (ShardInfo s :
        cluster.blocking(id).getCluster(GetClusterRequest.getDefaultInstance()).getShardsList()) {
      if (s.getReplicasList().contains(id)) {
        groups.add(Integer.toString(s.getId()));
      }
    }
    return groups;
  }

  @Test
  void everyDocumentedMeterIsExportedAndMovesWithTheCluster() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(
            dir, 3, settings("raft.snapshot-entries", "" + N / 2), RaftlogServer::start)) {
      Map<Integer, String> leaders = cluster.awaitShardLeaders();
      String stream = "metered";
      int shard = cluster.node("1").shardOf(stream);
      double appended = sum(cluster, "raftlog_records_appended_total", Map.of());
      double read = sum(cluster, "raftlog_records_read_total", Map.of());
      String via = leaders.get(shard);
      for (int i = 0; i < N; i++) { // one entry each: the shard snapshots after N / 2
        cluster
            .blocking(via)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .produce(
                ProduceRequest.newBuilder()
                    .setStream(stream)
                    .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8("r" + i)))
                    .build());
      }
      Await.until(
          WAIT,
          "records_appended to move by " + N,
          () -> sum(cluster, "raftlog_records_appended_total", Map.of()) == appended + N);
      assertEquals(
          N,
          cluster
              .blocking(via)
              .consume(ConsumeRequest.newBuilder().setStream(stream).setMaxRecords(N).build())
              .getRecordsCount());
      Await.until(
          WAIT,
          "records_read to move by " + N,
          () -> sum(cluster, "raftlog_records_read_total", Map.of()) == read + N);

      // Every replica of the shard took a snapshot: counted, timed, sized, dated.
      Map<String, String> ofShard = Map.of("group", "" + shard);
      for (String id : cluster.ids()) {
        Await.until(
            WAIT,
            "node " + id + " to count a snapshot of shard " + shard,
            () -> scrape(cluster, id).value("raftlog_snapshots_total", ofShard) >= 1);
        Scrape s = scrape(cluster, id);
        assertTrue(s.value("raftlog_snapshot_duration_seconds_count", ofShard) >= 1);
        assertTrue(s.value("raftlog_snapshot_bytes", ofShard) > 0, "snapshot bytes on " + id);
        assertTrue(
            s.value("raftlog_snapshot_last_time_seconds", ofShard)
                > System.currentTimeMillis() / 1000.0 - 60,
            "last snapshot time on " + id);
      }

      // Exactly one leader per group, as the metrics say it, once the balancer is done.
      Await.until(
          WAIT,
          "one raftlog_raft_is_leader 1 per group",
          () -> {
            for (String group : List.of("meta", "0", "1")) {
              if (sum(cluster, "raftlog_raft_is_leader", Map.of("group", group)) != 1) {
                return false;
              }
            }
            return true;
          });

      // The JVM's GC pause timer exists from the first pause whose notification reached the node
      // (CI met a node scraped before any: jvm_gc_pause_seconds missing).
      System.gc();
      for (String id : cluster.ids()) {
        Await.until(
            WAIT,
            "node " + id + " to record a GC pause",
            () -> cluster.node(id).meterRegistry().find("jvm.gc.pause").timer() != null);
      }
      for (String id : cluster.ids()) {
        Scrape s = scrape(cluster, id);
        for (MetricsDoc.Row row : MetricsDoc.rows()) {
          List<String> groups = row.perGroup() ? groupsOf(cluster, id) : List.of("");
          for (String group : groups) {
            if (row.name().equals("raftlog_streams") && group.equals("meta")) {
              continue; // shards only
            }
            if (row.tags().contains("follower")) {
              continue; // on the leader only: checked below
            }
            Map<String, String> labels = new HashMap<>(Map.of("node", id));
            if (!group.isEmpty()) {
              labels.put("group", group);
            }
            String name = row.timer() ? row.name() + "_count" : row.name();
            List<Scrape.Sample> found = s.find(name, labels);
            assertFalse(found.isEmpty(), "node " + id + " exports " + name + labels);
            for (String tag : row.tags()) {
              assertTrue(
                  found.stream().allMatch(f -> f.labels().containsKey(tag)),
                  name + " has tag " + tag + ": " + found);
            }
            if (row.timer()) {
              for (String suffix : List.of("_sum", "_max")) {
                assertFalse(s.find(row.name() + suffix, labels).isEmpty(), row.name() + suffix);
              }
            }
          }
        }
        for (String family : MetricsDoc.families()) {
          assertTrue(
              s.samples().stream()
                  .anyMatch(f -> f.name().equals(family) || f.name().startsWith(family + "_")),
              "node " + id + " exports " + family);
        }
      }

      // The leader of each group has one lag series per follower.
      for (String group : List.of("meta", "0", "1")) {
        String leader =
            cluster.ids().stream()
                .filter(
                    id ->
                        scrape(cluster, id).value("raftlog_raft_is_leader", Map.of("group", group))
                            == 1)
                .findFirst()
                .orElseThrow();
        for (String follower : cluster.ids()) {
          if (!follower.equals(leader)) {
            assertEquals(
                1,
                scrape(cluster, leader)
                    .find(
                        "raftlog_raft_follower_lag_entries",
                        Map.of("group", group, "follower", follower))
                    .size(),
                "node " + leader + " leading " + group + " has a lag series for " + follower);
          }
        }
      }

      // gRPC: Produce's duration histogram has buckets, with its status.
      assertFalse(
          scrape(cluster, via)
              .find(
                  "grpc_server_processing_duration_seconds_bucket",
                  Map.of("method", "Produce", "statusCode", "OK"))
              .isEmpty(),
          "Produce's duration buckets on node " + via);

      // A stopped shard leader: the survivors see the group's leader change.
      String victim =
          cluster.ids().stream()
              .filter(
                  id ->
                      scrape(cluster, id)
                              .value("raftlog_raft_is_leader", Map.of("group", "" + shard))
                          == 1)
              .findFirst()
              .orElseThrow();
      String survivor = cluster.ids().stream().filter(id -> !id.equals(victim)).findFirst().get();
      Map<String, String> changes = Map.of("group", "" + shard);
      double before = scrape(cluster, survivor).value("raftlog_raft_leader_changes_total", changes);
      cluster.stopNode(victim);
      Await.until(
          WAIT,
          "leader_changes_total of shard " + shard + " to grow on node " + survivor,
          () ->
              scrape(cluster, survivor).value("raftlog_raft_leader_changes_total", changes)
                  > before);
    }
  }

  @Test
  void aReplicaMovedOffANodeLeavesNoSeriesOfItsGroupThere() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(
            dir,
            3,
            settings("cluster.shards", "1", "cluster.replication", "2"),
            RaftlogServer::start)) {
      cluster.awaitShardLeaders();
      ShardInfo s =
          cluster.blocking("1").getCluster(GetClusterRequest.getDefaultInstance()).getShards(0);
      String from = s.getReplicas(0);
      String to =
          cluster.ids().stream().filter(id -> !s.getReplicasList().contains(id)).findFirst().get();
      Map<String, String> group = Map.of("group", "0");
      Await.until(
          WAIT,
          "node " + from + " exporting shard 0's series",
          () -> !scrape(cluster, from).find("raftlog_raft_term", group).isEmpty());
      assertTrue(scrape(cluster, to).find("raftlog_raft_term", group).isEmpty());
      cluster
          .blocking(from)
          .moveReplica(
              MoveReplicaRequest.newBuilder().setShard(0).setFromNode(from).setToNode(to).build());
      Await.until(
          WAIT,
          "node " + to + " exporting shard 0's series",
          () -> !scrape(cluster, to).find("raftlog_raft_term", group).isEmpty());
      Await.until(
          WAIT,
          "no series of shard 0 left on node " + from,
          () ->
              scrape(cluster, from).samples().stream()
                  .noneMatch(f -> "0".equals(f.labels().get("group"))));
    }
  }

  @Test
  void withMetricsOffMetricsIsNotFoundAndTheNodeServes() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(
            dir, 1, settings("metrics.enabled", "false"), RaftlogServer::start)) {
      cluster.awaitShardLeaders();
      assertEquals(404, Scrape.of(cluster.node("1").httpAddress()).status());
      assertNull(cluster.node("1").meterRegistry());
      cluster
          .blocking("1")
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .produce(
              ProduceRequest.newBuilder()
                  .setStream("off")
                  .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8("x")))
                  .build());
    }
  }
}
