package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteStreamRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.ListStreamsResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.wire.CallHeaders;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streams on a real three-node cluster with six shards: offsets, admin calls, routing. */
class StreamsTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void start() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
    cluster.awaitShardLeaders();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ProduceRequest to(String stream, String... values) {
    ProduceRequest.Builder b = ProduceRequest.newBuilder().setStream(stream);
    for (String v : values) {
      b.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(v)));
    }
    return b.build();
  }

  private static List<String> read(LogGrpc.LogBlockingStub stub, String stream) {
    return stub
        .consume(ConsumeRequest.newBuilder().setStream(stream).setMaxRecords(10_000).build())
        .getRecordsList()
        .stream()
        .map(r -> r.getValue().toStringUtf8())
        .toList();
  }

  private static RaftlogServer anyNode() {
    return cluster.node(cluster.ids().get(0));
  }

  /** Two stream names that live in different shards. */
  private static List<String> inDifferentShards(String prefix) {
    String first = prefix + "-0";
    for (int i = 1; ; i++) {
      String other = prefix + "-" + i;
      if (anyNode().shardOf(other) != anyNode().shardOf(first)) {
        return List.of(first, other);
      }
    }
  }

  @Test
  void twoStreamsKeepTheirOwnDenseOffsetsAndEveryNodeReadsEach() {
    for (String id : cluster.ids()) {
      cluster.blocking(id).produce(to("offsets.a", "a" + id));
      cluster.blocking(id).produce(to("offsets.b", "b" + id, "b" + id + "'"));
    }
    for (String id : cluster.ids()) {
      assertEquals(List.of("a1", "a2", "a3"), read(cluster.blocking(id), "offsets.a"));
      assertEquals(
          List.of("b1", "b1'", "b2", "b2'", "b3", "b3'"), read(cluster.blocking(id), "offsets.b"));
    }
    ProduceResponse next = cluster.blocking("2").produce(to("offsets.a", "a4"));
    assertEquals(3, next.getBaseOffset());
    assertEquals("offsets.a", next.getAppended(0).getStream());
  }

  @Test
  void aBatchOfPartsIsAppendedWholeToEachStreamOfOneShard() {
    String a = "parts-x";
    String b = null;
    for (int i = 0; b == null; i++) {
      if (anyNode().shardOf("parts-y" + i) == anyNode().shardOf(a)) {
        b = "parts-y" + i;
      }
    }
    cluster.blocking("1").produce(to(b, "earlier"));
    ProduceRequest parts =
        ProduceRequest.newBuilder().addParts(part(a, "x0", "x1")).addParts(part(b, "y1")).build();
    ProduceResponse r = cluster.blocking("3").produce(parts);
    assertEquals(2, r.getAppendedCount());
    assertEquals(0, r.getAppended(0).getBaseOffset());
    assertEquals(1, r.getAppended(1).getBaseOffset());
    assertEquals(List.of("earlier", "y1"), read(cluster.blocking("2"), b));

    List<String> apart = inDifferentShards("apart");
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                cluster
                    .blocking("1")
                    .produce(
                        ProduceRequest.newBuilder()
                            .addParts(part(apart.get(0), "1"))
                            .addParts(part(apart.get(1), "2"))
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getMessage().contains("different shards"), e.getMessage());
  }

  private static StreamRecords part(String stream, String... values) {
    StreamRecords.Builder p = StreamRecords.newBuilder().setStream(stream);
    for (String v : values) {
      p.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(v)));
    }
    return p.build();
  }

  @Test
  void expectedOffsetLetsExactlyOneOfConcurrentWritersWinEachOffset() throws Exception {
    String stream = "occ";
    cluster.blocking("1").produce(to(stream, "start"));
    ConcurrentLinkedQueue<String> won = new ConcurrentLinkedQueue<>();
    AtomicInteger conflicts = new AtomicInteger();
    List<Thread> writers = new ArrayList<>();
    for (String id : cluster.ids()) {
      Thread t =
          new Thread(
              () -> {
                LogGrpc.LogBlockingStub stub = cluster.blocking(id);
                for (int i = 0; i < 15; i++) {
                  long next =
                      stub.describeStream(
                              DescribeStreamRequest.newBuilder().setStream(stream).build())
                          .getNextOffset();
                  String value = "w" + id + "-" + i;
                  try {
                    stub.produce(to(stream, value).toBuilder().setExpectedOffset(next).build());
                    won.add(next + "=" + value);
                  } catch (StatusRuntimeException e) {
                    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
                    assertTrue(
                        e.getMessage().contains("'" + stream + "' is at offset"), e.getMessage());
                    conflicts.incrementAndGet();
                  }
                }
              });
      writers.add(t);
      t.start();
    }
    for (Thread t : writers) {
      t.join();
    }
    List<String> stored = read(cluster.blocking("2"), stream);
    assertEquals(1 + won.size(), stored.size(), "one record per winning write");
    for (String w : won) {
      int offset = Integer.parseInt(w.substring(0, w.indexOf('=')));
      assertEquals(w.substring(w.indexOf('=') + 1), stored.get(offset), "offset " + offset);
    }
    assertEquals(45, won.size() + conflicts.get());
  }

  @Test
  void streamsAreCreatedDescribedListedAndDeleted() {
    LogGrpc.LogBlockingStub one = cluster.blocking("1");
    StreamInfo created =
        one.createStream(
            CreateStreamRequest.newBuilder()
                .setStream("admin/orders")
                .putSettings("owner", "team-a")
                .build());
    assertEquals(0, created.getNextOffset());
    assertEquals(Map.of("owner", "team-a"), created.getSettingsMap());
    StatusRuntimeException again =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                one.createStream(
                    CreateStreamRequest.newBuilder().setStream("admin/orders").build()));
    assertEquals(Status.Code.ALREADY_EXISTS, again.getStatus().getCode());

    cluster.blocking("2").produce(to("admin/orders", "o1", "o2"));
    cluster.blocking("2").produce(to("admin/users", "u1"));
    StreamInfo described =
        cluster
            .blocking("3")
            .describeStream(DescribeStreamRequest.newBuilder().setStream("admin/orders").build());
    assertEquals(2, described.getNextOffset());
    assertEquals(anyNode().shardOf("admin/orders"), described.getShard());
    assertEquals(3, described.getReplicasCount());
    assertEquals(
        cluster.awaitLeader("admin/orders"), described.getLeaderId(), "leader of its shard");
    assertEquals(Map.of("owner", "team-a"), described.getSettingsMap(), "settings from catalog");

    ListStreamsResponse page =
        cluster
            .blocking("2")
            .listStreams(
                ListStreamsRequest.newBuilder().setPrefix("admin/").setPageSize(1).build());
    assertEquals(
        List.of("admin/orders"), page.getStreamsList().stream().map(StreamInfo::getName).toList());
    ListStreamsResponse rest =
        cluster
            .blocking("3")
            .listStreams(
                ListStreamsRequest.newBuilder()
                    .setPrefix("admin/")
                    .setPageToken(page.getNextPageToken())
                    .build());
    assertEquals(
        List.of("admin/users"), rest.getStreamsList().stream().map(StreamInfo::getName).toList());
    assertEquals("", rest.getNextPageToken());

    assertEquals(
        2,
        cluster
            .blocking("3")
            .deleteStream(DeleteStreamRequest.newBuilder().setStream("admin/orders").build())
            .getNextOffset());
    for (String id : cluster.ids()) {
      StatusRuntimeException gone =
          assertThrows(
              StatusRuntimeException.class, () -> read(cluster.blocking(id), "admin/orders"));
      assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode(), "node " + id);
    }
    ProduceResponse reborn = one.produce(to("admin/orders", "fresh"));
    assertEquals(0, reborn.getBaseOffset(), "a new stream of the same name starts at 0");
    assertEquals(
        Map.of(),
        one.describeStream(DescribeStreamRequest.newBuilder().setStream("admin/orders").build())
            .getSettingsMap(),
        "the deleted stream's settings went with it");
  }

  @Test
  void badNamesSettingsAndOffsetsGetPreciseStatuses() {
    LogGrpc.LogBlockingStub stub = cluster.blocking("1");
    StatusRuntimeException bad =
        assertThrows(StatusRuntimeException.class, () -> stub.produce(to("no spaces", "x")));
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    assertTrue(bad.getMessage().contains("A-Z a-z 0-9 . _ : / -"), bad.getMessage());
    StatusRuntimeException tooLong =
        assertThrows(StatusRuntimeException.class, () -> stub.produce(to("x".repeat(256), "x")));
    assertEquals(Status.Code.INVALID_ARGUMENT, tooLong.getStatus().getCode());
    StatusRuntimeException missing =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub.describeStream(
                    DescribeStreamRequest.newBuilder().setStream("never-written").build()));
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    StatusRuntimeException reserved =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub.createStream(
                    CreateStreamRequest.newBuilder()
                        .setStream("reserved")
                        .putSettings("raftlog.retention", "1d")
                        .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, reserved.getStatus().getCode());

    // Offsets are uint64: 2^63 arrives as a negative long and must not read as offset 0's end.
    stub.produce(to("high-offset", "only"));
    StatusRuntimeException high =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub.consume(
                    ConsumeRequest.newBuilder()
                        .setStream("high-offset")
                        .setOffset(Long.MIN_VALUE)
                        .build()));
    assertEquals(Status.Code.OUT_OF_RANGE, high.getStatus().getCode());
    assertTrue(high.getMessage().contains("9223372036854775808"), high.getMessage());
  }

  @Test
  void everyAnswerNamesTheLeaderOfTheShardThatServedIt() {
    List<String> streams = inDifferentShards("headers");
    Map<Integer, String> leaders = cluster.awaitShardLeaders();
    for (String stream : streams) {
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      cluster
          .blocking("1")
          .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
          .produce(to(stream, "h"));
      String leader = leaders.get(anyNode().shardOf(stream));
      assertEquals(cluster.clientAddress(leader), headers.get().get(CallHeaders.LEADER), stream);
    }
    assertNotEquals(anyNode().shardOf(streams.get(0)), anyNode().shardOf(streams.get(1)));
  }

  @Test
  void linearizableReadsOnEveryNodeSeeEveryAcknowledgedWrite() {
    for (int i = 0; i < 20; i++) {
      String stream = "lin-" + i;
      cluster.blocking(String.valueOf(1 + i % 3)).produce(to(stream, "v" + i));
      String reader = String.valueOf(1 + (i + 1) % 3);
      assertEquals(
          List.of("v" + i),
          cluster
              .blocking(reader)
              .consume(
                  ConsumeRequest.newBuilder()
                      .setStream(stream)
                      .setConsistency(Consistency.LINEARIZABLE)
                      .build())
              .getRecordsList()
              .stream()
              .map(r -> r.getValue().toStringUtf8())
              .toList());
    }
  }
}
