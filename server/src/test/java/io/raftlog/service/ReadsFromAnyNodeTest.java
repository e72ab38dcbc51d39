package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.ConsumerInfo;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.GetConsumerRequest;
import io.raftlog.api.v1.ListConsumersRequest;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.ListStreamsResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.api.v1.SlotRange;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.wire.CallHeaders;
import io.raftlog.wire.StreamNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five nodes, replication 3, six shards: each node holds three of the six shards, and every read
 * works from every node, both consistencies, including from a node that holds no replica of the
 * stream's shard (it forwards the read one hop).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadsFromAnyNodeTest {
  private static final List<Consistency> BOTH =
      List.of(Consistency.LINEARIZABLE, Consistency.LOCAL);

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static Map<Integer, String> leaders;
  static GetClusterResponse layout;

  @BeforeAll
  static void start() {
    cluster =
        InProcessCluster.start(
            dir,
            5,
            // No leader balancing: with fewer replicas than nodes, each node's balancer sees the
            // leaders of its own shards only, and hands leaderships back and forth.
            Map.of(
                "cluster.replication", "3",
                "cluster.shards", "6",
                "balance.interval-ms", "3600000"),
            RaftlogServer::start);
    leaders = cluster.awaitShardLeaders();
    layout = cluster.blocking("1").getCluster(GetClusterRequest.getDefaultInstance());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static int shardOf(String stream) {
    int slot = StreamNames.slotOf(stream, layout.getSlotCount());
    for (SlotRange r : layout.getSlotsList()) {
      if (slot >= r.getFirstSlot() && slot <= r.getLastSlot()) {
        return r.getShard();
      }
    }
    throw new AssertionError("no shard holds slot " + slot);
  }

  private static List<String> replicasOf(int shard) {
    return layout.getShards(shard).getReplicasList();
  }

  /** One stream name per shard, each starting with {@code prefix}. */
  private static Map<Integer, String> onePerShard(String prefix) {
    Map<Integer, String> names = new TreeMap<>();
    for (int i = 0; names.size() < layout.getShardsCount(); i++) {
      names.putIfAbsent(shardOf(prefix + i), prefix + i);
    }
    return names;
  }

  /** A node that holds no replica of {@code shard}. */
  private static String outsider(int shard) {
    return cluster.ids().stream()
        .filter(id -> !replicasOf(shard).contains(id))
        .findFirst()
        .orElseThrow();
  }

  private static ProduceRequest records(String stream, int from, int count) {
    ProduceRequest.Builder b = ProduceRequest.newBuilder().setStream(stream);
    for (int i = from; i < from + count; i++) {
      b.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(stream + "#" + i)));
    }
    return b.build();
  }

  private static List<String> values(ConsumeResponse r) {
    return r.getRecordsList().stream().map(x -> x.getValue().toStringUtf8()).toList();
  }

  private static List<String> expected(String stream, int count) {
    List<String> v = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      v.add(stream + "#" + i);
    }
    return v;
  }

  /**
   * Runs first, while no node has learned the leader of any shard it holds no replica of: its write
   * goes to a replica that may not lead, which takes it one hop further (a call forwarded by a
   * replica would be refused there).
   */
  @Test
  @Order(1)
  void aWriteThroughANodeThatKnowsNoLeaderOfTheShardReachesTheLeader() {
    for (Map.Entry<Integer, String> e : onePerShard("firstwrite-").entrySet()) {
      int n = 0;
      for (String id : cluster.ids()) {
        if (!replicasOf(e.getKey()).contains(id)) {
          cluster.blocking(id).produce(records(e.getValue(), n++, 1));
        }
      }
      assertEquals(
          expected(e.getValue(), n),
          values(
              cluster
                  .blocking(leaders.get(e.getKey()))
                  .consume(ConsumeRequest.newBuilder().setStream(e.getValue()).build())));
    }
  }

  @Test
  void everyNodeHoldsOnlySomeShards() {
    for (String id : cluster.ids()) {
      assertTrue(cluster.self(id).getReplicasCount() < layout.getShardsCount(), "node " + id);
    }
  }

  @Test
  void everyNodeConsumesAndDescribesEveryShardsStreamsAtBothConsistencies() {
    Map<Integer, String> leaders = cluster.awaitShardLeaders(); // as they are now
    Map<Integer, String> streams = onePerShard("anyread-");
    List<String> ids = cluster.ids();
    int k = 0;
    for (String stream : streams.values()) {
      // Written through every node in turn, non-replicas included.
      cluster.blocking(ids.get(k++ % ids.size())).produce(records(stream, 0, 3));
    }
    for (Map.Entry<Integer, String> e : streams.entrySet()) {
      String stream = e.getValue();
      for (String id : ids) {
        for (Consistency c : BOTH) {
          String where = stream + " (shard " + e.getKey() + ") from node " + id + ", " + c;
          ConsumeRequest read =
              ConsumeRequest.newBuilder().setStream(stream).setConsistency(c).build();
          if (c == Consistency.LINEARIZABLE) {
            assertEquals(expected(stream, 3), values(cluster.blocking(id).consume(read)), where);
          } else {
            Await.until(
                Duration.ofSeconds(10),
                where,
                () -> values(cluster.blocking(id).consume(read)).equals(expected(stream, 3)));
          }
          StreamInfo info =
              cluster
                  .blocking(id)
                  .describeStream(
                      DescribeStreamRequest.newBuilder()
                          .setStream(stream)
                          .setConsistency(c)
                          .build());
          assertEquals(e.getKey(), info.getShard(), where);
          assertEquals(3, info.getNextOffset(), where);
          assertEquals(replicasOf(e.getKey()), info.getReplicasList(), where);
          assertEquals(leaders.get(e.getKey()), info.getLeaderId(), where);
        }
      }
    }
  }

  @Test
  void aNodeWithoutAReplicaNamesTheShardsLeaderOnItsAnswers() {
    Map<Integer, String> leaders = cluster.awaitShardLeaders(); // as they are now
    for (Map.Entry<Integer, String> e : onePerShard("leaderhdr-").entrySet()) {
      String outsider = outsider(e.getKey());
      cluster.blocking(outsider).produce(records(e.getValue(), 0, 1));
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      cluster
          .blocking(outsider)
          .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
          .consume(ConsumeRequest.newBuilder().setStream(e.getValue()).build());
      assertEquals(
          cluster.clientAddress(leaders.get(e.getKey())),
          headers.get().get(CallHeaders.LEADER),
          "shard " + e.getKey() + " read through node " + outsider);
      assertEquals(outsider, headers.get().get(CallHeaders.NODE));
    }
  }

  @Test
  void consumeStreamFromANodeWithoutAReplicaFollowsTheTail() throws Exception {
    for (Consistency c : BOTH) {
      for (Map.Entry<Integer, String> e : onePerShard("tail-" + c + "-").entrySet()) {
        String stream = e.getValue();
        String outsider = outsider(e.getKey());
        String where = stream + " from node " + outsider + ", " + c;
        cluster.blocking(outsider).produce(records(stream, 0, 2));
        LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
        Context.CancellableContext call = Context.current().withCancellation();
        call.run(
            () ->
                cluster
                    .async(outsider)
                    .consumeStream(
                        ConsumeRequest.newBuilder()
                            .setStream(stream)
                            .setConsistency(c)
                            .setMaxRecords(1)
                            .build(),
                        new StreamObserver<>() {
                          @Override
                          public void onNext(ConsumeResponse r) {
                            got.addAll(values(r));
                          }

                          @Override
                          public void onError(Throwable t) {
                            got.add(t);
                          }

                          @Override
                          public void onCompleted() {
                            got.add("completed");
                          }
                        }));
        try {
          List<Object> seen = new ArrayList<>();
          seen.add(got.poll(10, TimeUnit.SECONDS));
          seen.add(got.poll(10, TimeUnit.SECONDS));
          // Produced while the stream is open: it comes through the relay.
          cluster.blocking(outsider).produce(records(stream, 2, 1));
          seen.add(got.poll(10, TimeUnit.SECONDS));
          assertEquals(expected(stream, 3), seen, where);
        } finally {
          call.cancel(null);
        }
      }
    }
  }

  @Test
  void listStreamsFromAnyNodeAnswersEveryStreamInExactPages() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      names.add("listed-" + String.format("%02d", i));
    }
    for (String n : names) {
      cluster.blocking("1").produce(records(n, 0, 1));
    }
    for (String id : cluster.ids()) {
      List<String> seen = new ArrayList<>();
      String token = "";
      List<Integer> pageSizes = new ArrayList<>();
      do {
        ListStreamsResponse page =
            cluster
                .blocking(id)
                .listStreams(
                    ListStreamsRequest.newBuilder()
                        .setPrefix("listed-")
                        .setPageSize(5)
                        .setPageToken(token)
                        .build());
        page.getStreamsList().forEach(s -> seen.add(s.getName()));
        pageSizes.add(page.getStreamsCount());
        token = page.getNextPageToken();
      } while (!token.isEmpty());
      assertEquals(names, seen, "from node " + id);
      assertEquals(List.of(5, 5, 5, 5, 3), pageSizes, "from node " + id);
    }
  }

  @Test
  void namedConsumersAreReadFromAnyNode() {
    for (Map.Entry<Integer, String> e : onePerShard("consumed-").entrySet()) {
      String stream = e.getValue();
      cluster.blocking(outsider(e.getKey())).produce(records(stream, 0, 4));
      cluster
          .blocking(outsider(e.getKey()))
          .commitOffset(
              CommitOffsetRequest.newBuilder()
                  .setStream(stream)
                  .setConsumer("reader")
                  .setOffset(3)
                  .build());
      for (String id : cluster.ids()) {
        for (Consistency c : BOTH) {
          String where = stream + " from node " + id + ", " + c;
          Await.until(
              Duration.ofSeconds(10),
              where,
              () -> {
                ConsumerInfo got =
                    cluster
                        .blocking(id)
                        .getConsumer(
                            GetConsumerRequest.newBuilder()
                                .setStream(stream)
                                .setConsumer("reader")
                                .setConsistency(c)
                                .build());
                return got.getCommittedOffset() == 3 && got.getLag() == 1;
              });
          assertEquals(
              List.of("reader"),
              cluster
                  .blocking(id)
                  .listConsumers(
                      ListConsumersRequest.newBuilder().setStream(stream).setConsistency(c).build())
                  .getConsumersList()
                  .stream()
                  .map(ConsumerInfo::getConsumer)
                  .toList(),
              where);
        }
      }
    }
  }

  @Test
  void getClusterFromAnyNodeNamesEveryNodeAndEveryShardsLeader() {
    Map<Integer, String> leaders = cluster.awaitShardLeaders(); // as they are now
    for (String id : cluster.ids()) {
      GetClusterResponse c =
          cluster.blocking(id).getCluster(GetClusterRequest.getDefaultInstance());
      assertEquals(cluster.ids(), c.getNodesList().stream().map(NodeInfo::getId).toList());
      assertEquals(3, c.getReplication());
      Map<String, Integer> leading = new TreeMap<>();
      for (ShardInfo s : c.getShardsList()) {
        assertEquals(leaders.get(s.getId()), s.getLeaderId(), "shard " + s.getId() + " on " + id);
        assertEquals(3, s.getReplicasCount());
        assertTrue(s.getCommitIndex() > 0, "shard " + s.getId() + " on " + id);
        leading.merge(s.getLeaderId(), 1, Integer::sum);
      }
      for (NodeInfo n : c.getNodesList()) {
        assertFalse(n.getReplicasList().isEmpty(), n.getId() + " on " + id);
        assertEquals(n.getReplicasCount(), n.getReplicaCount(), n.getId() + " on " + id);
        assertEquals(
            leading.getOrDefault(n.getId(), 0), n.getLeaderCount(), n.getId() + " on " + id);
      }
    }
  }

  @Test
  void aForwardedReadIsNeverForwardedAgain() {
    Map.Entry<Integer, String> e = onePerShard("onehop-").entrySet().iterator().next();
    Metadata forwarded = new Metadata();
    forwarded.put(CallHeaders.FORWARDED_BY, "test");
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                cluster
                    .blocking(outsider(e.getKey()))
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(forwarded))
                    .describeStream(
                        DescribeStreamRequest.newBuilder().setStream(e.getValue()).build()));
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
    assertTrue(
        refused.getStatus().getDescription().contains("holds no replica of shard " + e.getKey()),
        refused.getStatus().getDescription());
  }

  /**
   * Runs last: it stops a node. A node without a replica of the shard reads through the next
   * replica when the one it asks first (the leader it learned) is gone.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void aReadThroughANodeWithoutAReplicaGoesToTheNextReplicaWhenItsFirstIsDown() throws Exception {
    Map.Entry<Integer, String> e = onePerShard("fallback-").entrySet().iterator().next();
    String stream = e.getValue();
    String outsider = outsider(e.getKey());
    cluster.blocking(outsider).produce(records(stream, 0, 2));
    ConsumeRequest local =
        ConsumeRequest.newBuilder().setStream(stream).setConsistency(Consistency.LOCAL).build();
    // LOCAL: whichever replica answers must have applied the records already.
    for (String replica :
        cluster
            .blocking(outsider)
            .getCluster(GetClusterRequest.getDefaultInstance())
            .getShards(e.getKey())
            .getReplicasList()) {
      Await.until(
          Duration.ofSeconds(10),
          "node " + replica + " has the records",
          () -> values(cluster.blocking(replica).consume(local)).equals(expected(stream, 2)));
    }
    assertEquals(expected(stream, 2), values(cluster.blocking(outsider).consume(local)));
    String leader = leaders.get(e.getKey()); // the first the outsider asks: it learned it
    cluster.stopNode(leader);
    assertEquals(expected(stream, 2), values(cluster.blocking(outsider).consume(local)));
    LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
    Context.CancellableContext call = Context.current().withCancellation();
    call.run(
        () ->
            cluster
                .async(outsider)
                .consumeStream(
                    local,
                    new StreamObserver<>() {
                      @Override
                      public void onNext(ConsumeResponse r) {
                        got.addAll(values(r));
                      }

                      @Override
                      public void onError(Throwable t) {
                        got.add(t);
                      }

                      @Override
                      public void onCompleted() {
                        got.add("completed");
                      }
                    }));
    try {
      assertEquals(stream + "#0", got.poll(10, TimeUnit.SECONDS));
      assertEquals(stream + "#1", got.poll(10, TimeUnit.SECONDS));
    } finally {
      call.cancel(null);
    }
    Await.until(
        Duration.ofSeconds(20),
        "ListStreams through node " + outsider + " with node " + leader + " down",
        () -> {
          try {
            return cluster
                .blocking(outsider)
                .listStreams(ListStreamsRequest.newBuilder().setPrefix(stream).build())
                .getStreamsList()
                .stream()
                .map(StreamInfo::getName)
                .toList()
                .equals(List.of(stream));
          } catch (StatusRuntimeException electing) {
            return false;
          }
        });
  }
}
