package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams on a real sharded cluster: own offsets, exactly once across a leader stop, conditions.
 */
class StreamsClusterTest {
  @TempDir Path dir;

  @Test
  void twoStreamsHaveIndependentOffsets() {
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(dir, 3, RaftlogServer::start);
        RaftlogClient client = client(cluster)) {
      assertEquals(List.of(0L, 1L), client.produce("orders", List.of(record("o0"), record("o1"))));
      assertEquals(List.of(0L), client.produce("payments", List.of(record("p0"))));
      assertEquals(2L, (long) client.producer().send("orders", record("o2")).join());
      assertEquals(1L, (long) client.producer().send("payments", record("p1")).join());
      assertEquals(
          List.of("o0", "o1", "o2"), values(client.consume("orders", 0, 10).getRecordsList()));
      assertEquals(List.of("p0", "p1"), values(client.consume("payments", 0, 10).getRecordsList()));
      assertEquals(List.of(), client.consume(0, 10).getRecordsList(), "default holds nothing");

      StreamInfo orders = client.describeStream("orders");
      assertEquals(3, orders.getNextOffset());
      assertEquals(
          List.of("orders", "payments"),
          client.listStreams("").stream()
              .map(StreamInfo::getName)
              .filter(n -> !n.equals("default"))
              .toList());
      assertEquals(3, client.deleteStream("orders").getNextOffset());
      assertEquals(
          Status.Code.NOT_FOUND,
          assertThrows(RaftlogException.class, () -> client.describeStream("orders")).code());
      StreamInfo created = client.createStream("audit", Map.of("owner", "team-a"));
      assertEquals("team-a", created.getSettingsMap().get("owner"));
      assertEquals(
          Status.Code.ALREADY_EXISTS,
          assertThrows(RaftlogException.class, () -> client.createStream("audit", Map.of()))
              .code());
    }
  }

  @Test
  void anExpectedOffsetLetsOnlyOneOfTwoWritersAppend() {
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(dir, 3, RaftlogServer::start);
        RaftlogClient first = client(cluster);
        RaftlogClient second = client(cluster)) {
      first.produce("ledger", List.of(record("l0")));
      assertEquals(List.of(1L), first.produce("ledger", List.of(record("first")), 1));
      RaftlogException e =
          assertThrows(
              RaftlogException.class, () -> second.produce("ledger", List.of(record("second")), 1));
      assertEquals(Status.Code.FAILED_PRECONDITION, e.code());
      assertTrue(e.getMessage().contains("2"), "names the next offset: " + e.getMessage());
      assertEquals(List.of(2L), second.produce("ledger", List.of(record("second")), 2));
      assertEquals(
          List.of("l0", "first", "second"),
          values(first.consume("ledger", 0, 10).getRecordsList()));
      // The producer goes on after a refused condition: later batches are appended.
      assertEquals(3L, (long) second.producer().send("ledger", record("after")).join());
    }
  }

  @Test
  void roundRobinOverAThousandStreamsThroughALeaderStopIsDenseExactlyOnceInOrder()
      throws Exception {
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(dir, 3, RaftlogServer::start);
        RaftlogClient client =
            RaftlogClient.builder()
                .servers(cluster.ids().stream().map(cluster::clientAddress).toList())
                .linger(Duration.ofMillis(2))
                .batchBytes(16 << 10) // several batches per shard in flight at the stop
                .build()) {
      int streams = 1000;
      int rounds = 10;
      AtomicLong acked = new AtomicLong();
      List<CompletableFuture<Long>> offsets = new ArrayList<>();
      CountDownLatch leaderStopped = new CountDownLatch(1);
      Thread producing =
          new Thread(
              () -> {
                for (int r = 0; r < rounds; r++) {
                  if (r == rounds / 2) {
                    await(leaderStopped);
                  }
                  for (int s = 0; s < streams; s++) {
                    offsets.add(
                        client
                            .producer()
                            .send("s-" + s, ("s-" + s + "/" + r).getBytes(StandardCharsets.UTF_8))
                            .whenComplete((o, e) -> acked.incrementAndGet()));
                  }
                }
              });
      producing.start();
      Await.until(Duration.ofSeconds(30), "2000 acknowledgements", () -> acked.get() >= 2000);
      String stopped = cluster.awaitLeader("s-0");
      cluster.stopNode(stopped);
      leaderStopped.countDown();
      producing.join();
      client.producer().flush();

      for (int r = 0; r < rounds; r++) {
        for (int s = 0; s < streams; s++) {
          assertEquals(r, offsets.get(r * streams + s).join(), "s-" + s + " record " + r);
        }
      }
      for (int s = 0; s < streams; s++) {
        List<String> expected = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          expected.add("s-" + s + "/" + r);
        }
        assertEquals(
            expected, values(client.consume("s-" + s, 0, 100).getRecordsList()), "stream s-" + s);
      }
      assertTrue(client.producer().streamsOpened() > 1);
    }
  }

  private static RaftlogClient client(InProcessCluster<RaftlogServer> cluster) {
    return RaftlogClient.builder()
        .servers(cluster.ids().stream().map(cluster::clientAddress).toList())
        .build();
  }

  private static List<String> values(List<Record> records) {
    return records.stream().map(r -> r.getValue().toStringUtf8()).toList();
  }

  private static Record record(String value) {
    return Record.newBuilder().setValue(ByteString.copyFromUtf8(value)).build();
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
