package io.raftlog.client;

import static io.raftlog.testkit.Records.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.api.v1.Consistency;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The producer rides through leader loss: no error reaches the caller, every record once. */
class ProducerFailoverTest {
  @TempDir Path dir;

  @Test
  void sendsThroughALeaderStopReachTheLogExactlyOnceInOrder() throws Exception {
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(dir, 3, RaftlogServer::start);
        RaftlogClient client =
            RaftlogClient.builder()
                .servers(cluster.ids().stream().map(cluster::clientAddress).toList())
                .linger(Duration.ofMillis(2))
                .batchBytes(2048) // many small batches, so several are in flight at the kill
                .build()) {
      int total = 3000;
      AtomicLong acked = new AtomicLong();
      List<CompletableFuture<Long>> offsets = new ArrayList<>();
      CountDownLatch leaderStopped = new CountDownLatch(1);
      Thread producing =
          new Thread(
              () -> {
                for (int i = 0; i < total; i++) {
                  if (i == total / 2) {
                    await(leaderStopped); // the second half goes to a cluster without that leader
                  }
                  offsets.add(
                      client
                          .producer()
                          .send(("r-" + i).getBytes(StandardCharsets.UTF_8))
                          .whenComplete((o, e) -> acked.incrementAndGet()));
                }
              });
      producing.start();
      Await.until(Duration.ofSeconds(20), "500 acknowledgements", () -> acked.get() >= 500);
      String oldLeader = cluster.awaitLeader();
      cluster.stopNode(oldLeader);
      leaderStopped.countDown();
      producing.join();
      client.producer().flush();

      for (int i = 0; i < total; i++) {
        assertEquals(i, offsets.get(i).join(), "offset of record r-" + i); // join: no error
      }
      String newLeader = cluster.awaitLeader();
      assertNotEquals(oldLeader, newLeader);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        expected.add("r-" + i);
      }
      assertEquals(expected, readAll(cluster.blocking(newLeader), Consistency.LINEARIZABLE));
      // The client reads it back too, paging with consume (one node is still down).
      List<String> read = new ArrayList<>();
      while (read.size() < total) {
        client
            .consume(read.size(), 700)
            .getRecordsList()
            .forEach(r -> read.add(r.getValue().toStringUtf8()));
      }
      assertEquals(expected, read);
      assertTrue(client.producer().streamsOpened() >= 2, "the stream was reopened");
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
