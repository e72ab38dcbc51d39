package io.raftlog.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shards fail over on their own, leaders spread again after a restart, a wiped node comes back. */
class ShardFailoverTest {
  @TempDir Path dir;

  private static ProduceRequest to(String stream, String value) {
    return ProduceRequest.newBuilder()
        .setStream(stream)
        .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(value)))
        .build();
  }

  /** A produce retried while the cluster answers UNAVAILABLE (an election, a slow machine). */
  private static void produce(
      InProcessCluster<RaftlogServer> cluster, String id, ProduceRequest r) {
    Await.until(
        Duration.ofSeconds(15),
        "node " + id + " to take a write to " + r.getStream(),
        () -> {
          try {
            cluster.blocking(id).withDeadlineAfter(2, TimeUnit.SECONDS).produce(r);
            return true;
          } catch (io.grpc.StatusRuntimeException e) {
            if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE
                && e.getStatus().getCode() != io.grpc.Status.Code.DEADLINE_EXCEEDED) {
              throw e;
            }
            return false;
          }
        });
  }

  /** Whether the node's meta group and each of its shard replicas have taken a snapshot. */
  private static boolean everyGroupHasASnapshot(RaftlogServer node) {
    Path data = node.config().get(ConfigKeys.DATA_DIR);
    List<Path> groups = new ArrayList<>(List.of(data.resolve("meta/raft")));
    for (int shard = 0; shard < node.shardCount(); shard++) {
      if (node.raftState(shard) != null) {
        groups.add(data.resolve("shards/" + shard + "/raft"));
      }
    }
    for (Path group : groups) {
      try (Stream<Path> s = Files.list(group.resolve("snapshot"))) {
        if (s.noneMatch(p -> p.getFileName().toString().startsWith("snapshot_"))) {
          return false;
        }
      } catch (IOException e) {
        return false; // no snapshot directory yet
      }
    }
    return true;
  }

  /** One stream name per shard. */
  private static Map<Integer, String> streamPerShard(RaftlogServer node) {
    Map<Integer, String> streams = new HashMap<>();
    for (int i = 0; streams.size() < node.shardCount(); i++) {
      streams.putIfAbsent(node.shardOf("s" + i), "s" + i);
    }
    return streams;
  }

  @Test
  void stoppingANodePausesOnlyTheShardsItLedAndItLeadsItsShareAgainAfterARestart() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(
            dir, 3, Map.of(ConfigKeys.BALANCE_INTERVAL_MS.name(), "500"), RaftlogServer::start)) {
      Map<Integer, String> leaders = cluster.awaitShardLeaders();
      for (String id : cluster.ids()) {
        assertEquals(
            2,
            leaders.values().stream().filter(id::equals).count(),
            "node " + id + " leads 2 of 6");
      }
      String victim = leaders.get(0);
      String survivor = cluster.ids().stream().filter(id -> !id.equals(victim)).findFirst().get();
      Map<Integer, String> streams = streamPerShard(cluster.node(survivor));
      cluster.stopNode(victim);
      // Shards the victim did not lead keep their leader (no election there): the survivor writes
      // to each of them (retrying only while the machine is slow), and the shard is still led by
      // the node that led it before the stop.
      for (Map.Entry<Integer, String> e : streams.entrySet()) {
        int shard = e.getKey();
        if (!leaders.get(shard).equals(victim)) {
          Await.until(
              Duration.ofSeconds(3),
              "a write to shard " + shard + ", which the stopped node did not lead",
              () -> {
                try {
                  cluster
                      .blocking(survivor)
                      .withDeadlineAfter(1, TimeUnit.SECONDS)
                      .produce(to(e.getValue(), "during"));
                  return true;
                } catch (io.grpc.StatusRuntimeException retry) {
                  return false;
                }
              });
          assertEquals(
              leaders.get(shard),
              cluster.node(survivor).leader(shard).id(),
              "shard " + shard + " kept its leader");
        }
      }
      // The victim's shards elect new leaders among the survivors.
      Map<Integer, String> after = cluster.awaitShardLeaders();
      for (Map.Entry<Integer, String> e : streams.entrySet()) {
        assertTrue(!after.get(e.getKey()).equals(victim));
        produce(cluster, survivor, to(e.getValue(), "after"));
      }

      cluster.startNode(victim);
      Map<Integer, String> balanced = cluster.awaitShardLeaders();
      assertEquals(
          2,
          balanced.values().stream().filter(victim::equals).count(),
          "the restarted node was handed its share of leaders back");
    }
  }

  @Test
  void aWipedNodeGetsTheCatalogAndItsShardsBack() throws Exception {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(
            dir,
            3,
            Map.of(
                ConfigKeys.SNAPSHOT_ENTRIES.name(), "5",
                ConfigKeys.SNAPSHOT_INTERVAL_SECS.name(), "1"),
            RaftlogServer::start)) {
      cluster.awaitShardLeaders();
      cluster
          .blocking("1")
          .createStream(
              CreateStreamRequest.newBuilder()
                  .setStream("kept")
                  .putSettings("owner", "ops")
                  .build());
      Map<Integer, String> streams = streamPerShard(cluster.node("1"));
      for (int i = 0; i < 10; i++) {
        for (String s : streams.values()) {
          produce(cluster, "1", to(s, s + "-" + i));
        }
      }
      String victim = "3";
      // Every group snapshots (the catalog by time, shards by entry count) on the nodes that will
      // bring the wiped one back.
      Await.until(
          Duration.ofSeconds(20),
          "every group on the other nodes to take a snapshot",
          () ->
              cluster.ids().stream()
                  .filter(id -> !id.equals(victim))
                  .allMatch(id -> everyGroupHasASnapshot(cluster.node(id))));
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
      cluster.startNode(victim);
      // It joins, and repair moves give it a replica of every shard again, one at a time.
      Await.until(
          Duration.ofSeconds(60),
          "every shard back at three replicas",
          () ->
              cluster
                  .blocking(other)
                  .getCluster(io.raftlog.api.v1.GetClusterRequest.getDefaultInstance())
                  .getShardsList()
                  .stream()
                  .allMatch(s -> s.getReplicasCount() == 3 && !s.hasMove()));
      cluster.awaitShardLeaders();
      // A snapshot install per shard: on a loaded two-core machine (a CI run beside other builds)
      // the last of them took over 30 s.
      Await.until(
          Duration.ofSeconds(90),
          "the wiped node to hold every stream again and the catalog's settings",
          () -> {
            for (String s : streams.values()) {
              List<String> local =
                  cluster
                      .blocking(victim)
                      .consume(
                          ConsumeRequest.newBuilder()
                              .setStream(s)
                              .setMaxRecords(100)
                              .setConsistency(Consistency.LOCAL)
                              .build())
                      .getRecordsList()
                      .stream()
                      .map(r -> r.getValue().toStringUtf8())
                      .toList();
              if (local.size() != 10) {
                return false;
              }
            }
            return cluster
                .blocking(victim)
                .describeStream(
                    DescribeStreamRequest.newBuilder()
                        .setStream("kept")
                        .setConsistency(Consistency.LOCAL)
                        .build())
                .getSettingsMap()
                .equals(Map.of("owner", "ops"));
          });
      assertTrue(
          cluster.node(victim).snapshotsInstalled() >= 1,
          "the leaders had compacted their logs, so shards came back by snapshot");
    }
  }
}
