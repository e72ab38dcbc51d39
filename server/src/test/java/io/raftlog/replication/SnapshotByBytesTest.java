package io.raftlog.replication;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.wire.StreamNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raft.snapshot-log-bytes}: a shard snapshots once the Raft entries it applied since its
 * last snapshot pass that many bytes, however few entries they are and however long the interval.
 */
class SnapshotByBytesTest {
  private static final int LOG_BYTES = 256 << 10;
  private static final int RECORD_BYTES = 8 << 10;

  @TempDir Path dir;

  @Test
  void aShardSnapshotsOnceItsRaftLogPassesTheByteSize() throws Exception {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(
            dir,
            3,
            Map.of(
                ConfigKeys.SNAPSHOT_LOG_BYTES.name(), String.valueOf(LOG_BYTES),
                ConfigKeys.SNAPSHOT_ENTRIES.name(), "1000000",
                ConfigKeys.SNAPSHOT_INTERVAL_SECS.name(), "3600"),
            RaftlogServer::start)) {
      String leader = cluster.awaitLeader();
      produce(cluster, leader, LOG_BYTES / RECORD_BYTES / 2); // half the size: no snapshot yet
      Thread.sleep(500);
      for (String id : cluster.ids()) {
        assertFalse(hasSnapshot(cluster.node(id)), "node " + id + " snapshotted too early");
      }
      produce(cluster, leader, LOG_BYTES / RECORD_BYTES); // past it
      Await.until(
          Duration.ofSeconds(20),
          "every node to snapshot the shard by its log's bytes",
          () -> cluster.ids().stream().allMatch(id -> hasSnapshot(cluster.node(id))));
    }
  }

  /** {@code records} batches of one record of RECORD_BYTES each: few entries, many bytes. */
  private static void produce(InProcessCluster<RaftlogServer> cluster, String id, int records) {
    for (int i = 0; i < records; i++) {
      cluster
          .blocking(id)
          .produce(
              ProduceRequest.newBuilder()
                  .addRecords(
                      Record.newBuilder().setValue(ByteString.copyFrom(new byte[RECORD_BYTES])))
                  .build());
    }
  }

  private static boolean hasSnapshot(RaftlogServer node) {
    Path nodeDir = node.config().get(ConfigKeys.DATA_DIR);
    int shard = node.shardOf(StreamNames.DEFAULT);
    try (Stream<Path> s = Files.list(nodeDir.resolve("shards/" + shard + "/raft/snapshot"))) {
      return s.anyMatch(p -> p.getFileName().toString().startsWith("snapshot_"));
    } catch (IOException e) {
      return false;
    }
  }
}
