package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The producer's routing, against {@link FakeShardedCluster} (no real nodes): each shard's batches
 * go to that shard's leader, a leader change in one shard resends only that shard's batches, and
 * every stream gets its records once, densely, in send order.
 */
class ShardRoutingTest {
  @Test
  void eachShardsBatchesGoToItsLeaderAndEveryStreamIsDenseAndInOrder() throws Exception {
    try (FakeShardedCluster fake = new FakeShardedCluster(2);
        RaftlogClient client = client(fake)) {
      Map<String, List<CompletableFuture<Long>>> sent = sendRoundRobin(client, 200, 20, 0);
      client.producer().flush();
      check(fake, sent, 20);
      assertEquals(0, fake.node(0).refused.get() + fake.node(1).refused.get(), "no wrong node");
      assertEquals(1, fake.node(0).streamsOpened.get(0).get(), "one stream to shard 0's leader");
      assertEquals(1, fake.node(1).streamsOpened.get(1).get(), "one stream to shard 1's leader");
      assertTrue(client.leaderAddress("a") != null);
      assertEquals(fake.leader(FakeShardedCluster.shardOf("a")).address, client.leaderAddress("a"));
    }
  }

  @Test
  void aLeaderChangeInOneShardResendsOnlyThatShardsBatchesExactlyOnce() throws Exception {
    try (FakeShardedCluster fake = new FakeShardedCluster(2);
        RaftlogClient client = client(fake)) {
      // Shard 1's leader appends what it gets but never answers, then loses the leadership.
      fake.node(1).holdAnswers = true;
      Map<String, List<CompletableFuture<Long>>> sent = sendRoundRobin(client, 200, 10, 0);
      long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (fake.node(1).held.get() < 3 && System.nanoTime() < end) {
        Thread.sleep(5);
      }
      assertTrue(fake.node(1).held.get() >= 3, "batches appended and unanswered");
      assertEquals(1, fake.moveLeader(1, fake.node(0)), "shard 1's stream was open");
      Map<String, List<CompletableFuture<Long>>> more = sendRoundRobin(client, 200, 10, 10);
      client.producer().flush();
      more.forEach((k, v) -> sent.get(k).addAll(v));
      check(fake, sent, 20);
      assertEquals(1, fake.node(0).streamsOpened.get(0).get(), "shard 0's stream went on");
      assertTrue(fake.duplicates.get() >= 3, "resent under their sequences: " + fake.duplicates);
      assertEquals(
          client.leaderAddress(streamIn(1)), fake.node(0).address, "the new leader was learned");
    }
  }

  @Test
  void aFullBufferFailsTheSendClearlyInsteadOfGrowing() throws Exception {
    try (FakeShardedCluster fake = new FakeShardedCluster(1);
        RaftlogClient client =
            RaftlogClient.builder()
                .servers(fake.addresses())
                .deadline(Duration.ofSeconds(1))
                .attemptTimeout(Duration.ofMillis(300))
                .bufferBytes(64 << 10)
                .maxBlock(Duration.ZERO)
                .build()) {
      fake.node(0).holdAnswers = true; // nothing is ever acknowledged
      client.cluster(); // the slot map is known: sends do not wait for it
      byte[] value = new byte[1000];
      RaftlogException e =
          assertThrows(
              RaftlogException.class,
              () -> {
                for (int i = 0; i < 1000; i++) {
                  client.producer().send("s" + i, value);
                }
              });
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
      assertTrue(e.getMessage().startsWith("producer buffer full"), e.getMessage());
    }
  }

  @Test
  void aSendBeforeAnyNodeAnswersWaitsUpToMaxBlockThenFailsAsUnavailable() {
    try (RaftlogClient client =
        RaftlogClient.builder()
            .servers("127.0.0.1:1")
            .maxBlock(Duration.ofMillis(300))
            .deadline(Duration.ofSeconds(1))
            .build()) {
      long start = System.nanoTime();
      RaftlogException e =
          assertThrows(RaftlogException.class, () -> client.producer().send("s", new byte[1]));
      assertEquals(Status.Code.UNAVAILABLE, e.code());
      assertTrue(e.getMessage().contains("slot map is not known"), e.getMessage());
      assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
    }
  }

  @Test
  void badStreamNamesAreRefusedBeforeAnyCall() {
    try (RaftlogClient client = RaftlogClient.builder().servers("127.0.0.1:1").build()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> client.producer().send("a b", new byte[1]));
      assertTrue(e.getMessage().contains("the character ' ' at position 1"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> client.consume("", 0, 1));
      assertThrows(IllegalArgumentException.class, () -> client.subscribe("x".repeat(256), 0));
      assertThrows(IllegalArgumentException.class, () -> client.describeStream(null));
    }
  }

  private static RaftlogClient client(FakeShardedCluster fake) {
    return RaftlogClient.builder()
        .servers(fake.addresses())
        .linger(Duration.ofMillis(2))
        .batchBytes(512) // many batches in flight per shard
        .deadline(Duration.ofSeconds(10))
        .build();
  }

  private static String streamIn(int shard) {
    for (int i = 0; ; i++) {
      if (FakeShardedCluster.shardOf("s" + i) == shard) {
        return "s" + i;
      }
    }
  }

  private static Map<String, List<CompletableFuture<Long>>> sendRoundRobin(
      RaftlogClient client, int streams, int rounds, int firstRound) {
    Map<String, List<CompletableFuture<Long>>> sent = new HashMap<>();
    for (int r = firstRound; r < firstRound + rounds; r++) {
      for (int s = 0; s < streams; s++) {
        String stream = "s" + s;
        sent.computeIfAbsent(stream, k -> new ArrayList<>())
            .add(
                client
                    .producer()
                    .send(stream, (stream + "-" + r).getBytes(StandardCharsets.UTF_8)));
      }
    }
    return sent;
  }

  private static void check(
      FakeShardedCluster fake, Map<String, List<CompletableFuture<Long>>> sent, int perStream) {
    sent.forEach(
        (stream, futures) -> {
          List<String> expected = new ArrayList<>();
          for (int i = 0; i < perStream; i++) {
            expected.add(stream + "-" + i);
            assertEquals(i, futures.get(i).join(), stream + " record " + i);
          }
          assertEquals(expected, fake.values(stream), stream);
        });
  }
}
