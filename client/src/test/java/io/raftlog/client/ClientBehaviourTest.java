package io.raftlog.client;

import static io.raftlog.testkit.Records.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.Role;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery, errors and limits on one healthy cluster (nothing here stops a node). */
class ClientBehaviourTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void start() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aClientBootstrappedFromOneFollowerFindsTheLeaderAndTheOtherNodes() {
    String leader = cluster.awaitLeader();
    try (RaftlogClient client =
        RaftlogClient.builder().servers(cluster.clientAddress(cluster.aFollower())).build()) {
      client.produce(List.of(record("via-follower")));
      assertEquals(cluster.clientAddress(leader), client.leaderAddress());
      var answer = client.cluster();
      assertEquals(3, answer.getNodesCount());
      assertEquals(
          1, answer.getNodesList().stream().filter(n -> n.getRole() == Role.LEADER).count());
    }
  }

  @Test
  void aRequestTheClusterRejectsFailsAtOnceWithItsStatus() {
    try (RaftlogClient client = client()) {
      long start = System.nanoTime();
      RaftlogException e =
          assertThrows(RaftlogException.class, () -> client.consume(1_000_000, 10));
      assertEquals(Status.Code.OUT_OF_RANGE, e.code());
      assertTrue(e.getMessage().contains("past the end of the stream"), e.getMessage());
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "no retries");
    }
  }

  @Test
  void aRejectedBatchFailsAloneAndTheNextBatchesAreAppended() {
    try (RaftlogClient client = client()) {
      byte[] tooBig = new byte[2 << 20]; // over the nodes' 1 MiB record limit
      CompletableFuture<Long> rejected = client.producer().send(tooBig);
      CompletableFuture<Long> after = client.producer().send("after-the-rejected-one".getBytes());
      client.producer().flush();

      CompletionException e = assertThrows(CompletionException.class, rejected::join);
      RaftlogException cause = (RaftlogException) e.getCause();
      assertEquals(Status.Code.INVALID_ARGUMENT, cause.code());
      long offset = after.join();
      assertEquals(
          "after-the-rejected-one",
          client.consume(offset, 1).getRecords(0).getValue().toStringUtf8());
      // The next batch after a rejection still goes through (its sequence took the free number).
      assertEquals(offset + 1, (long) client.producer().send("next".getBytes()).join());
    }
  }

  @Test
  void localReadsSkipANodeThatCannotBeReached() {
    try (RaftlogClient client =
        RaftlogClient.builder()
            .servers(cluster.clientAddress(cluster.awaitLeader()), "127.0.0.1:1")
            .build()) {
      client.produce(List.of(record("spread")));
      for (int i = 0; i < 10; i++) {
        ConsumeResponse r = client.consume(0, 1, Consistency.LOCAL);
        assertEquals(1, r.getRecordsCount());
      }
    }
  }

  @Test
  void theProduceOffsetsAreTheLogsOffsets() {
    try (RaftlogClient client = client()) {
      List<Long> offsets = client.produce(List.of(record("x"), record("y"), record("z")));
      List<String> log = readAll(cluster.blocking(cluster.awaitLeader()), Consistency.LOCAL);
      assertEquals("x", log.get(offsets.get(0).intValue()));
      assertEquals("z", log.get(offsets.get(2).intValue()));
      assertEquals(offsets.get(0) + 2, offsets.get(2));
    }
  }

  private static RaftlogClient client() {
    return RaftlogClient.builder()
        .servers(cluster.ids().stream().map(cluster::clientAddress).toList())
        .build();
  }

  static Record record(String value) {
    return Record.newBuilder().setValue(ByteString.copyFromUtf8(value)).build();
  }
}
