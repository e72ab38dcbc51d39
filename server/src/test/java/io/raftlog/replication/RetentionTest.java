package io.raftlog.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.Retention;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.storage.LogReader;
import io.raftlog.storage.StoredRecords;
import io.raftlog.storage.StreamMeta;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's retention check ({@link RetentionCheck}) on three real nodes: each limit truncates
 * the stream on every replica to the same first offset, the replicas' stores then hold the same
 * metas and records, named consumers hold records back up to the hold cap, and a new leader goes on
 * after the old one is gone.
 */
class RetentionTest {
  private static final long HOLD_MAX_BYTES = 64 << 10;
  private static final Duration SETTLE = Duration.ofSeconds(20);

  @TempDir Path dir;

  private InProcessCluster<RaftlogServer> startCluster() {
    return InProcessCluster.start(
        dir,
        3,
        Map.of(
            ConfigKeys.RETENTION_CHECK_INTERVAL_MS.name(),
            "200",
            ConfigKeys.RETENTION_HOLD_MAX_BYTES.name(),
            String.valueOf(HOLD_MAX_BYTES)),
        RaftlogServer::start);
  }

  @Test
  void everyLimitTruncatesEveryReplicaToTheSameFirstOffset() throws Exception {
    try (InProcessCluster<RaftlogServer> cluster = startCluster()) {
      String leader = cluster.awaitLeader();
      LogGrpc.LogBlockingStub api = cluster.blocking(leader);
      create(api, "by-records", Retention.newBuilder().setMaxRecords(30).build());
      create(api, "by-bytes", Retention.newBuilder().setMaxBytes(8 << 10).build());
      create(api, "by-age", Retention.newBuilder().setMaxAgeMs(3_000).build());
      create(api, "kept", Retention.getDefaultInstance());
      for (String s : List.of("by-records", "by-bytes", "by-age", "kept")) {
        produce(api, s, 10, 10, 200);
      }
      Thread.sleep(3_500); // the first 100 records of by-age are now older than its limit
      produce(api, "by-age", 1, 5, 200);

      awaitFirst(cluster, "by-records", 70);
      awaitFirst(cluster, "by-age", 100);
      Await.until(
          SETTLE,
          "by-bytes to be truncated to at most 8 KiB on every replica",
          () ->
              cluster.ids().stream()
                  .map(id -> meta(cluster, id, "by-bytes"))
                  .allMatch(m -> m.firstOffset() > 0 && m.storedBytes() <= 8 << 10));
      assertEquals(0, meta(cluster, leader, "kept").firstOffset(), "no limit, nothing dropped");

      for (String s : List.of("by-records", "by-bytes", "by-age", "kept")) {
        assertReplicasIdentical(cluster, s);
      }
    }
  }

  @Test
  void namedConsumersHoldRecordsUntilTheHoldCap() throws Exception {
    try (InProcessCluster<RaftlogServer> cluster = startCluster()) {
      String leader = cluster.awaitLeader();
      LogGrpc.LogBlockingStub api = cluster.blocking(leader);
      create(
          api, "held", Retention.newBuilder().setMaxRecords(10).setHoldForConsumers(true).build());
      produce(api, "held", 1, 1, 100);
      commit(api, "held", "slow", 0);
      produce(api, "held", 10, 10, 100); // 101 records, 10 KB: under the hold cap
      commit(api, "held", "fast", 90);

      Thread.sleep(1_000); // five checks: nothing may go below what "slow" committed
      assertEquals(0, meta(cluster, leader, "held").firstOffset());

      commit(api, "held", "slow", 40);
      awaitFirst(cluster, "held", 40);

      // Past the hold cap the stream is cut to it, however far behind "slow" is.
      produce(api, "held", 100, 10, 100); // 100 KB more
      Await.until(
          SETTLE,
          "the held stream to be cut to the hold cap on every replica",
          () ->
              cluster.ids().stream()
                  .map(id -> meta(cluster, id, "held"))
                  .allMatch(
                      m ->
                          m.firstOffset() > 40
                              && m.firstOffset() < m.nextOffset() - 10
                              && m.storedBytes() <= HOLD_MAX_BYTES));
      assertReplicasIdentical(cluster, "held");
    }
  }

  @Test
  void aNewLeaderGoesOnTruncatingAfterTheOldOneIsGone() throws Exception {
    try (InProcessCluster<RaftlogServer> cluster = startCluster()) {
      String leader = cluster.awaitLeader("counted");
      create(cluster.blocking(leader), "counted", Retention.newBuilder().setMaxRecords(5).build());
      produce(cluster.blocking(leader), "counted", 2, 10, 50);
      awaitFirst(cluster, "counted", 15);

      cluster.stopNode(leader);
      String next = cluster.awaitLeader("counted");
      produce(cluster.blocking(next), "counted", 2, 10, 50);
      List<String> alive = cluster.ids().stream().filter(id -> !id.equals(leader)).toList();
      Await.until(
          SETTLE,
          "the new leader to truncate to 35",
          () -> alive.stream().allMatch(id -> meta(cluster, id, "counted").firstOffset() == 35));
    }
  }

  private static void create(LogGrpc.LogBlockingStub api, String stream, Retention retention) {
    api.createStream(
        CreateStreamRequest.newBuilder().setStream(stream).setRetention(retention).build());
  }

  private static void commit(
      LogGrpc.LogBlockingStub api, String stream, String consumer, long offset) {
    api.commitOffset(
        CommitOffsetRequest.newBuilder()
            .setStream(stream)
            .setConsumer(consumer)
            .setOffset(offset)
            .build());
  }

  /** {@code batches} batches of {@code perBatch} records of {@code size} bytes each. */
  private static void produce(
      LogGrpc.LogBlockingStub api, String stream, int batches, int perBatch, int size) {
    for (int b = 0; b < batches; b++) {
      ProduceRequest.Builder req = ProduceRequest.newBuilder().setStream(stream);
      for (int i = 0; i < perBatch; i++) {
        req.addRecords(Record.newBuilder().setValue(ByteString.copyFrom(new byte[size])));
      }
      api.produce(req.build());
    }
  }

  private static LogReader store(InProcessCluster<RaftlogServer> cluster, String id, String s) {
    RaftlogServer node = cluster.node(id);
    return node.store(node.shardOf(s));
  }

  private static StreamMeta meta(InProcessCluster<RaftlogServer> cluster, String id, String s) {
    return store(cluster, id, s).stream(s).orElseThrow();
  }

  private static void awaitFirst(InProcessCluster<RaftlogServer> cluster, String s, long first) {
    Await.until(
        SETTLE,
        "stream " + s + " to start at offset " + first + " on every replica",
        () -> cluster.ids().stream().allMatch(id -> meta(cluster, id, s).firstOffset() == first));
  }

  /**
   * Once every replica applied the same entries, each holds the same meta of {@code s} and serves
   * the same records from its first offset.
   */
  private static void assertReplicasIdentical(InProcessCluster<RaftlogServer> cluster, String s) {
    Await.until(
        SETTLE,
        "every replica to hold the same meta of " + s,
        () -> cluster.ids().stream().map(id -> meta(cluster, id, s)).distinct().count() == 1);
    List<ByteString> contents = new ArrayList<>();
    for (String id : cluster.ids()) {
      StreamMeta m = meta(cluster, id, s);
      StoredRecords r =
          store(cluster, id, s).read(s, m.firstOffset(), 100_000, Integer.MAX_VALUE).orElseThrow();
      assertEquals(m.nextOffset() - m.firstOffset(), r.count(), "node " + id + " serves them all");
      contents.add(ByteString.copyFrom(r.parts()));
    }
    assertTrue(
        contents.stream().distinct().count() == 1 && contents.stream().allMatch(Objects::nonNull),
        "every replica serves the same records of " + s);
  }
}
