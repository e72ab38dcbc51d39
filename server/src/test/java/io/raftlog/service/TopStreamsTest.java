package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamActivity;
import io.raftlog.api.v1.TopStreamsOrder;
import io.raftlog.api.v1.TopStreamsRequest;
import io.raftlog.api.v1.TopStreamsResponse;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TopStreams and the traffic GetCluster reports, on a real three-node cluster with HTTP ports: a
 * stream written faster ranks first from any node, reads count, the limit is checked, a node that
 * does not answer is named. Rates are those of the last whole 10 s window, so the ranking test
 * writes until a window holding its traffic is reported (10 to 20 s).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopStreamsTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void start() {
    cluster =
        InProcessCluster.start(
            dir, 3, Map.of("http.port", ClusterLayout.HTTP_PORT_FREE), RaftlogServer::start);
    cluster.awaitShardLeaders();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ProduceRequest records(String stream, int count, int size) {
    ProduceRequest.Builder b = ProduceRequest.newBuilder().setStream(stream);
    for (int i = 0; i < count; i++) {
      b.addRecords(Record.newBuilder().setValue(ByteString.copyFrom(new byte[size])));
    }
    return b.build();
  }

  private static TopStreamsResponse top(String node, int limit, TopStreamsOrder order) {
    return cluster
        .blocking(node)
        .topStreams(TopStreamsRequest.newBuilder().setLimit(limit).setOrder(order).build());
  }

  private static List<String> names(TopStreamsResponse r) {
    return r.getStreamsList().stream().map(StreamActivity::getStream).toList();
  }

  @Test
  @Order(1)
  void aLimitAbove1000IsRefusedNamingTheField() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> top("1", 1001, TopStreamsOrder.TOP_STREAMS_ORDER_BYTES));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("limit"), e::toString);
    assertEquals(10_000, top("2", 1000, TopStreamsOrder.TOP_STREAMS_ORDER_BYTES).getWindowMs());
    assertEquals(BusiestStreams.DEFAULT_LIMIT, BusiestStreams.limit(0));
    assertEquals(10, BusiestStreams.DEFAULT_LIMIT);
    assertEquals(1000, BusiestStreams.limit(1000));
  }

  @Test
  @Order(2)
  void theStreamWrittenFasterRanksFirstFromEveryNodeAndReadsCount() {
    // "hot" gets 5 small records and is read back each round; "bulky" 1 large record: more
    // records make hot the busiest by records, more bytes make bulky the busiest by bytes.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    TopStreamsResponse byRecords = null;
    int round = 0;
    while (System.nanoTime() < end) {
      String via = cluster.ids().get(round++ % 3);
      cluster.blocking(via).produce(records("top-hot", 5, 10));
      cluster.blocking(via).produce(records("top-bulky", 1, 4000));
      cluster
          .blocking(via)
          .consume(ConsumeRequest.newBuilder().setStream("top-hot").setMaxRecords(5).build());
      if (round % 10 == 0) {
        byRecords = top(via, 0, TopStreamsOrder.TOP_STREAMS_ORDER_RECORDS);
        if (names(byRecords).containsAll(List.of("top-hot", "top-bulky"))) {
          break;
        }
      }
    }
    assertTrue(
        byRecords != null && names(byRecords).containsAll(List.of("top-hot", "top-bulky")),
        "no window with both streams: " + byRecords);
    // Each node's 10 s windows start on their own, so a window may roll over between two calls
    // and leave one node's answer without the hot stream's appends: each node is asked again,
    // traffic going on, until its answer holds all of it (or 30 s pass).
    for (String node : cluster.ids()) {
      int shard =
          cluster
              .blocking(node)
              .describeStream(DescribeStreamRequest.newBuilder().setStream("top-hot").build())
              .getShard();
      Await.until(
          Duration.ofSeconds(30),
          "node " + node + " to rank top-hot first by records and top-bulky first by bytes",
          () -> {
            if (rankedRight(node, shard)) {
              return true;
            }
            cluster.blocking(node).produce(records("top-hot", 5, 10));
            cluster.blocking(node).produce(records("top-bulky", 1, 4000));
            cluster
                .blocking(node)
                .consume(ConsumeRequest.newBuilder().setStream("top-hot").setMaxRecords(5).build());
            return false;
          });
      assertEquals(1, top(node, 1, TopStreamsOrder.TOP_STREAMS_ORDER_RECORDS).getStreamsCount());
    }
  }

  private boolean rankedRight(String node, int shard) {
    TopStreamsResponse r = top(node, 0, TopStreamsOrder.TOP_STREAMS_ORDER_RECORDS);
    if (r.getStreamsCount() < 2
        || !names(r).subList(0, 2).equals(List.of("top-hot", "top-bulky"))) {
      return false;
    }
    StreamActivity hot = r.getStreams(0);
    TopStreamsResponse byBytes = top(node, 0, TopStreamsOrder.TOP_STREAMS_ORDER_BYTES);
    return hot.getRecordsAppendedPerSec() > 0
        && hot.getRecordsReadPerSec() > 0
        && hot.getShard() == shard
        && r.getUnreachableNodesList().isEmpty()
        && byBytes.getStreamsCount() >= 2
        && names(byBytes).subList(0, 2).equals(List.of("top-bulky", "top-hot"));
  }

  @Test
  @Order(3)
  void getClusterHasEachNodesHttpAddressAndTraffic() {
    GetClusterResponse c = cluster.blocking("2").getCluster(GetClusterRequest.getDefaultInstance());
    long appended = 0;
    long read = 0;
    for (NodeInfo n : c.getNodesList()) {
      assertEquals(cluster.node(n.getId()).httpAddress(), n.getHttpAddress());
      assertTrue(n.getTraffic().getAtMs() > 0, n::toString);
      appended += n.getTraffic().getRecordsAppended();
      read += n.getTraffic().getRecordsRead();
    }
    assertTrue(appended >= 6 * 10, c::toString); // the test before wrote 10 rounds at least
    assertTrue(read >= 5 * 10, c::toString);
  }

  @Test
  @Order(4)
  void aNodeThatDoesNotAnswerIsNamed() {
    cluster.stopNode("3");
    TopStreamsResponse r = top("1", 0, TopStreamsOrder.TOP_STREAMS_ORDER_BYTES);
    assertEquals(List.of("3"), r.getUnreachableNodesList());
    TopStreamsResponse local =
        cluster.blocking("1").topStreams(TopStreamsRequest.newBuilder().setLocalOnly(true).build());
    assertFalse(local.getUnreachableNodesCount() > 0, local::toString);
  }
}
