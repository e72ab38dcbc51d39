package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.Retention;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.api.v1.TruncateResponse;
import io.raftlog.api.v1.UpdateStreamRequest;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * UpdateStream, Truncate, the retention StreamInfo shows, reads below the first offset under each
 * reset policy and reads from a time, on a real three-node cluster; every write sent to each node,
 * so non-leaders forward it.
 */
class RetentionCallsTest {
  static final long DEFAULT_MAX_RECORDS = 1_000_000;

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void start() {
    cluster =
        InProcessCluster.start(
            dir,
            3,
            Map.of(ConfigKeys.RETENTION_MAX_RECORDS.name(), String.valueOf(DEFAULT_MAX_RECORDS)),
            RaftlogServer::start);
    cluster.awaitShardLeaders();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** The nodes that do not lead {@code stream}'s shard: a write there is forwarded. */
  private static List<String> nonLeaders(String stream) {
    String leader = cluster.awaitLeader(stream);
    return cluster.ids().stream().filter(id -> !id.equals(leader)).toList();
  }

  private static StreamInfo describe(String id, String stream) {
    return cluster
        .blocking(id)
        .describeStream(
            DescribeStreamRequest.newBuilder()
                .setStream(stream)
                .setConsistency(Consistency.LINEARIZABLE)
                .build());
  }

  /** {@code n} records {@code v0..}, timestamped {@code 1000 * (i + 1)} by their producer. */
  private static void produce(String stream, int n) {
    ProduceRequest.Builder b = ProduceRequest.newBuilder().setStream(stream);
    for (int i = 0; i < n; i++) {
      b.addRecords(
          Record.newBuilder()
              .setValue(ByteString.copyFromUtf8("v" + i))
              .setTimestampMs(1000L * (i + 1)));
    }
    cluster.blocking(cluster.awaitLeader(stream)).produce(b.build());
  }

  private static List<Long> offsets(ConsumeResponse r) {
    return r.getRecordsList().stream().map(Record::getOffset).toList();
  }

  @Test
  void aCreatedStreamShowsEveryRetentionFieldAndUpdateChangesOnlyThoseGiven() {
    String stream = "ret-shown";
    String follower = nonLeaders(stream).get(0);
    StreamInfo created =
        cluster
            .blocking(follower)
            .createStream(
                CreateStreamRequest.newBuilder()
                    .setStream(stream)
                    .setRetention(Retention.newBuilder().setMaxBytes(20L << 20))
                    .build());
    Retention expected =
        Retention.newBuilder()
            .setMaxAgeMs(0)
            .setMaxBytes(20L << 20)
            .setMaxRecords(DEFAULT_MAX_RECORDS) // the cluster's default for a field left out
            .setHoldForConsumers(false)
            .build();
    assertEquals(expected, created.getRetention());
    assertTrue(created.getRetention().hasMaxAgeMs(), "every field present, zeros too");
    for (String id : cluster.ids()) {
      assertEquals(expected, describe(id, stream).getRetention());
    }

    // Each node in turn changes one field: the others keep their values.
    StreamInfo updated = null;
    List<String> order = new ArrayList<>(nonLeaders(stream));
    order.add(cluster.awaitLeader(stream));
    Retention[] changes = {
      Retention.newBuilder().setMaxAgeMs(7L * 86_400_000).build(),
      Retention.newBuilder().setHoldForConsumers(true).build(),
      Retention.newBuilder().setMaxRecords(0).build(),
    };
    for (int i = 0; i < order.size(); i++) {
      updated =
          cluster
              .blocking(order.get(i))
              .updateStream(
                  UpdateStreamRequest.newBuilder()
                      .setStream(stream)
                      .setRetention(changes[i])
                      .build());
    }
    Retention after =
        Retention.newBuilder()
            .setMaxAgeMs(7L * 86_400_000)
            .setMaxBytes(20L << 20)
            .setMaxRecords(0)
            .setHoldForConsumers(true)
            .build();
    assertEquals(after, updated.getRetention());
    assertEquals(stream, updated.getName());
    StreamInfo listed =
        cluster
            .blocking(follower)
            .listStreams(ListStreamsRequest.newBuilder().setPrefix(stream).build())
            .getStreams(0);
    assertEquals(after, listed.getRetention());
  }

  @Test
  void truncateFromAnyNodeMovesTheFirstOffsetAndNeverBack() {
    String stream = "ret-truncate";
    produce(stream, 10);
    List<String> followers = nonLeaders(stream);
    TruncateResponse t =
        cluster
            .blocking(followers.get(0))
            .truncate(TruncateRequest.newBuilder().setStream(stream).setBeforeOffset(4).build());
    assertEquals(4, t.getFirstOffset());
    assertEquals(10, t.getNextOffset());
    // At or below the first offset changes nothing; at the next offset empties the stream.
    t =
        cluster
            .blocking(followers.get(1))
            .truncate(TruncateRequest.newBuilder().setStream(stream).setBeforeOffset(2).build());
    assertEquals(4, t.getFirstOffset());
    for (String id : cluster.ids()) {
      StreamInfo info = describe(id, stream);
      assertEquals(4, info.getFirstOffset(), "node " + id);
      assertEquals(10, info.getNextOffset(), "node " + id);
    }
    ConsumeResponse r =
        cluster
            .blocking(followers.get(0))
            .consume(ConsumeRequest.newBuilder().setStream(stream).setOffset(4).build());
    assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L), offsets(r));
    t =
        cluster
            .blocking(cluster.awaitLeader(stream))
            .truncate(TruncateRequest.newBuilder().setStream(stream).setBeforeOffset(10).build());
    assertEquals(10, t.getFirstOffset());
    assertEquals(10, t.getNextOffset());
    produce(stream, 1);
    assertEquals(10, describe(followers.get(1), stream).getFirstOffset());
    assertEquals(11, describe(followers.get(1), stream).getNextOffset(), "offsets never reused");
  }

  @Test
  void aReadBelowTheFirstOffsetFollowsItsResetPolicy() {
    String stream = "ret-reset";
    produce(stream, 6);
    cluster
        .blocking(cluster.awaitLeader(stream))
        .truncate(TruncateRequest.newBuilder().setStream(stream).setBeforeOffset(3).build());
    for (String id : cluster.ids()) {
      LogGrpc.LogBlockingStub node = cluster.blocking(id);
      ConsumeRequest below =
          ConsumeRequest.newBuilder()
              .setStream(stream)
              .setOffset(1)
              .setConsistency(Consistency.LINEARIZABLE)
              .build();
      ConsumeResponse earliest =
          node.consume(below.toBuilder().setReset(OffsetReset.OFFSET_RESET_EARLIEST).build());
      assertEquals(List.of(3L, 4L, 5L), offsets(earliest));
      ConsumeResponse latest =
          node.consume(below.toBuilder().setReset(OffsetReset.OFFSET_RESET_LATEST).build());
      assertEquals(0, latest.getRecordsCount());
      assertEquals(6, latest.getNextOffset());

      Iterator<ConsumeResponse> tail =
          node.consumeStream(below.toBuilder().setReset(OffsetReset.OFFSET_RESET_EARLIEST).build());
      assertEquals(3L, tail.next().getRecords(0).getOffset());
    }
    // LATEST on a stream: only what is appended after the call started.
    Iterator<ConsumeResponse> latest =
        cluster
            .blocking(nonLeaders(stream).get(0))
            .consumeStream(
                ConsumeRequest.newBuilder()
                    .setStream(stream)
                    .setOffset(0)
                    .setConsistency(Consistency.LINEARIZABLE)
                    .setReset(OffsetReset.OFFSET_RESET_LATEST)
                    .build());
    produce(stream, 1);
    assertEquals(6L, latest.next().getRecords(0).getOffset());
  }

  @Test
  void aReadFromATimeStartsAtTheFirstRecordAtOrAfterIt() {
    String stream = "ret-time";
    produce(stream, 10); // timestamps 1000, 2000, ... 10000 at offsets 0..9
    for (String id : cluster.ids()) {
      // LINEARIZABLE first: once it answered, this node has applied the records LOCAL reads.
      for (Consistency c : List.of(Consistency.LINEARIZABLE, Consistency.LOCAL)) {
        LogGrpc.LogBlockingStub node = cluster.blocking(id);
        ConsumeRequest at =
            ConsumeRequest.newBuilder()
                .setStream(stream)
                .setFromTimestampMs(3500)
                .setOffset(9) // ignored: the time decides
                .setConsistency(c)
                .build();
        assertEquals(3L, node.consume(at).getRecords(0).getOffset(), "node " + id + " " + c);
        assertEquals(3L, node.consumeStream(at).next().getRecords(0).getOffset());
        ConsumeResponse exact = node.consume(at.toBuilder().setFromTimestampMs(4000).build());
        assertEquals(3L, exact.getRecords(0).getOffset());
        ConsumeResponse past = node.consume(at.toBuilder().setFromTimestampMs(99_000).build());
        assertEquals(0, past.getRecordsCount());
        assertEquals(10, past.getNextOffset());
        ConsumeResponse before = node.consume(at.toBuilder().setFromTimestampMs(0).build());
        assertEquals(0L, before.getRecords(0).getOffset());
      }
    }
  }
}
