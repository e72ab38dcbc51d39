package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producer's routing on a real sharded cluster: each shard's batches go to that shard's leader
 * on one stream, a leader change in one shard resends only that shard's batches while the other
 * shards' streams go on, every stream gets its records once, densely, in send order, and a send the
 * cluster cannot take fails clearly instead of growing the buffer or hanging. A {@link
 * ProduceCalls} interceptor in the client's own call chain records where each produce call went.
 */
class ShardRoutingTest {
  /**
   * The tests that count calls per shard need leaders that change only when the test stops one: a
   * longer election timeout keeps a busy machine's slow heartbeats from starting elections.
   */
  private static final Map<String, String> STEADY = Map.of("raft.election-timeout-ms", "3000");

  @TempDir Path dir;

  @Test
  void eachShardsBatchesGoToItsLeaderOnOneStreamAndEveryStreamIsDenseAndInOrder() {
    ProduceCalls calls = new ProduceCalls();
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(dir, 3, STEADY, RaftlogServer::start);
        RaftlogClient client = client(cluster, calls)) {
      Map<Integer, String> leaders = cluster.awaitShardLeaders();
      // No client.cluster() first: sends race the client's first GetCluster answer, and must still
      // find their shard's leader (learn() records the leaders before it publishes the slot map).
      Map<String, List<CompletableFuture<Long>>> sent = sendRoundRobin(client, 200, 20, 0);
      client.producer().flush();
      check(client, sent, 20);
      assertEquals(leaders, cluster.awaitShardLeaders(), "no leader changed meanwhile");

      RaftlogServer node = cluster.node("1");
      Map<Integer, List<Call>> byShard = calls.byShard(node);
      assertEquals(node.shardCount(), byShard.size(), "200 streams cover every shard");
      byShard.forEach(
          (shard, list) -> {
            assertEquals(1, list.size(), "one call for shard " + shard + ": " + list);
            Call c = list.get(0);
            assertTrue(c.stream, "a ProduceStream, not resends: " + c);
            assertEquals(cluster.clientAddress(leaders.get(shard)), c.node, "shard " + shard);
            assertNull(c.status, "still open, never failed: " + c);
            assertEquals(0, c.duplicates.get(), c.toString());
          });
      for (int s = 0; s < 200; s++) {
        String stream = "s" + s;
        assertEquals(
            cluster.clientAddress(leaders.get(node.shardOf(stream))),
            client.leaderAddress(stream),
            "the leader the client knows for " + stream);
      }
    }
  }

  @Test
  void aLeaderChangeInOneShardResendsOnlyThatShardsBatchesExactlyOnce() throws Exception {
    ProduceCalls calls = new ProduceCalls();
    // Three shards on three nodes: each node leads one, so stopping a leader changes the leader of
    // that shard only (the two nodes left then lead one and two: nothing to rebalance).
    Map<String, String> settings = new HashMap<>(STEADY);
    settings.put("cluster.shards", "3");
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(dir, 3, settings, RaftlogServer::start);
        RaftlogClient client = client(cluster, calls)) {
      Map<Integer, String> leaders = cluster.awaitShardLeaders();
      assertEquals(3, leaders.size());
      assertEquals(3, Set.copyOf(leaders.values()).size(), "each node leads one shard");
      int stoppedShard = cluster.node("1").shardOf("s0");
      String victim = leaders.get(stoppedShard);
      RaftlogServer live =
          cluster.node(
              cluster.ids().stream().filter(id -> !id.equals(victim)).findFirst().orElseThrow());

      int streams = 200;
      int rounds = 20;
      AtomicLong acked = new AtomicLong();
      Map<String, List<CompletableFuture<Long>>> sent = new ConcurrentHashMap<>();
      CountDownLatch leaderStopped = new CountDownLatch(1);
      Thread producing =
          new Thread(
              () -> {
                for (int r = 0; r < rounds; r++) {
                  if (r == rounds / 2) {
                    await(leaderStopped); // the second half goes to a cluster without that leader
                  }
                  for (int s = 0; s < streams; s++) {
                    String stream = "s" + s;
                    sent.computeIfAbsent(stream, k -> new CopyOnWriteArrayList<>())
                        .add(
                            client
                                .producer()
                                .send(stream, (stream + "-" + r).getBytes(StandardCharsets.UTF_8))
                                .whenComplete((o, e) -> acked.incrementAndGet()));
                  }
                }
              });
      producing.start();
      Await.until(Duration.ofSeconds(30), "1000 acknowledgements", () -> acked.get() >= 1000);
      cluster.stopNode(victim);
      leaderStopped.countDown();
      producing.join();
      client.producer().flush();

      check(client, sent, rounds);
      String newLeader = cluster.awaitLeader("s0");
      assertNotEquals(victim, newLeader);
      assertEquals(cluster.clientAddress(newLeader), client.leaderAddress("s0"));

      Map<Integer, List<Call>> byShard = calls.byShard(live);
      assertEquals(Set.of(0, 1, 2), byShard.keySet());
      List<Call> stopped = byShard.get(stoppedShard);
      assertTrue(stopped.size() >= 2, "the stopped leader's shard was resent to: " + stopped);
      assertEquals(cluster.clientAddress(victim), stopped.get(0).node, stopped.toString());
      assertNotNull(stopped.get(0).status, "the stream to the stopped leader ended");
      assertNotEquals(Status.Code.OK, stopped.get(0).status.getCode(), stopped.toString());
      byShard.forEach(
          (shard, list) -> {
            if (shard != stoppedShard) {
              assertEquals(1, list.size(), "shard " + shard + " was not resent: " + list);
              Call c = list.get(0);
              assertTrue(c.stream, c.toString());
              assertEquals(cluster.clientAddress(leaders.get(shard)), c.node, c.toString());
              assertNull(c.status, "shard " + shard + "'s stream went on: " + c);
              assertEquals(0, c.duplicates.get(), c.toString());
            }
          });
    }
  }

  @Test
  void aFullBufferFailsTheSendClearlyInsteadOfGrowing() {
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(dir, 3, RaftlogServer::start);
        RaftlogClient client =
            RaftlogClient.builder()
                .servers(addresses(cluster))
                .deadline(Duration.ofSeconds(2))
                .attemptTimeout(Duration.ofMillis(300))
                .bufferBytes(64 << 10)
                .maxBlock(Duration.ZERO)
                .build()) {
      // The slot map and the leaders are known (and one send is acknowledged): with no max block,
      // only a full buffer can fail a send from here on.
      client.cluster();
      assertEquals(0L, (long) client.producer().send("s0", new byte[1]).join());
      cluster.ids().forEach(cluster::stopNode); // nothing is acknowledged from here on

      byte[] value = new byte[1000];
      List<CompletableFuture<Long>> accepted = new ArrayList<>();
      RaftlogException e =
          assertThrows(
              RaftlogException.class,
              () -> {
                for (int i = 0; i < 1000; i++) {
                  accepted.add(client.producer().send("s" + i, value));
                }
              });
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
      assertTrue(e.getMessage().startsWith("producer buffer full"), e.getMessage());
      assertTrue(e.getMessage().contains("(buffer 65536 bytes)"), e.getMessage());
      assertTrue(
          accepted.size() >= 32 && accepted.size() <= 65,
          "the buffer held about 64 KiB of records: " + accepted.size());
      // What the buffer held fails at its deadline instead of hanging.
      for (CompletableFuture<Long> f : accepted) {
        CompletionException failed = assertThrows(CompletionException.class, f::join);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, ((RaftlogException) failed.getCause()).code());
      }
    }
  }

  @Test
  void aSendBeforeAnyNodeAnswersWaitsUpToMaxBlockThenFailsAsUnavailable() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(dir, 3, RaftlogServer::start)) {
      cluster.ids().forEach(cluster::stopNode);
      try (RaftlogClient client =
          RaftlogClient.builder()
              .servers(addresses(cluster))
              .maxBlock(Duration.ofMillis(300))
              .deadline(Duration.ofSeconds(5))
              .build()) {
        long start = System.nanoTime();
        RaftlogException e =
            assertThrows(RaftlogException.class, () -> client.producer().send("s", new byte[1]));
        assertEquals(Status.Code.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("slot map is not known"), e.getMessage());
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());

        // Once the nodes are back, the same client learns the slot map and its sends go through.
        cluster.ids().forEach(cluster::startNode);
        cluster.awaitShardLeaders();
        CompletableFuture<Long> first =
            Await.value(Duration.ofSeconds(30), "a send accepted", () -> trySend(client, "s"));
        assertEquals(0L, (long) first.join());
      }
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

  private static List<String> addresses(InProcessCluster<RaftlogServer> cluster) {
    return cluster.ids().stream().map(cluster::clientAddress).toList();
  }

  private static RaftlogClient client(
      InProcessCluster<RaftlogServer> cluster, ClientInterceptor calls) {
    return RaftlogClient.builder()
        .servers(addresses(cluster))
        .linger(Duration.ofMillis(2))
        .batchBytes(512) // many batches in flight per shard
        .intercept(calls)
        .build();
  }

  /** A send's future, or null while the client cannot place it (the slot map is not known). */
  private static CompletableFuture<Long> trySend(RaftlogClient client, String stream) {
    try {
      return client.producer().send(stream, new byte[1]);
    } catch (RaftlogException e) {
      assertEquals(Status.Code.UNAVAILABLE, e.code(), e.getMessage());
      return null;
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

  /** Every stream's offsets are 0, 1, 2, ... in send order, and its log holds each record once. */
  private static void check(
      RaftlogClient client, Map<String, List<CompletableFuture<Long>>> sent, int perStream) {
    sent.forEach(
        (stream, futures) -> {
          assertEquals(perStream, futures.size(), stream);
          List<String> expected = new ArrayList<>();
          for (int i = 0; i < perStream; i++) {
            expected.add(stream + "-" + i);
            assertEquals(i, futures.get(i).join(), stream + " record " + i);
          }
          List<String> log =
              client.consume(stream, 0, 10 * perStream).getRecordsList().stream()
                  .map(Record::getValue)
                  .map(v -> v.toStringUtf8())
                  .toList();
          assertEquals(expected, log, stream);
        });
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One Produce or ProduceStream call the client made. */
  static final class Call {
    final String node;
    final boolean stream;
    final Set<String> streams = ConcurrentHashMap.newKeySet();
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    volatile Status status; // null while the call is open

    Call(String node, boolean stream) {
      this.node = node;
      this.stream = stream;
    }

    @Override
    public String toString() {
      return (stream ? "ProduceStream" : "Produce")
          + " to "
          + node
          + ": "
          + batches
          + " batches, "
          + duplicates
          + " duplicates, "
          + (status == null ? "open" : status.getCode() + " " + status.getDescription());
    }
  }

  /**
   * Records every Produce and ProduceStream call the client makes: the node it went to (the
   * channel's address), the streams of the batches sent on it, its duplicate answers and how it
   * ended. Sits in the client's real call chain; changes nothing.
   */
  static final class ProduceCalls implements ClientInterceptor {
    final List<Call> calls = new CopyOnWriteArrayList<>();

    /** The calls by the shard of their batches (by {@code node}'s slot map), in call order. */
    Map<Integer, List<Call>> byShard(RaftlogServer node) {
      Map<Integer, List<Call>> out = new TreeMap<>();
      for (Call c : calls) {
        Set<Integer> shards = c.streams.stream().map(node::shardOf).collect(Collectors.toSet());
        assertTrue(shards.size() <= 1, "a call carries one shard's batches: " + shards + " " + c);
        if (!shards.isEmpty()) {
          out.computeIfAbsent(shards.iterator().next(), k -> new ArrayList<>()).add(c);
        }
      }
      return out;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      boolean stream = method == LogGrpc.getProduceStreamMethod();
      if (!stream && method != LogGrpc.getProduceMethod()) {
        return next.newCall(method, options);
      }
      Call call = new Call(next.authority(), stream);
      calls.add(call);
      return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void sendMessage(Q message) {
          for (StreamRecords p : ((ProduceRequest) message).getPartsList()) {
            call.streams.add(p.getStream());
          }
          call.batches.incrementAndGet();
          super.sendMessage(message);
        }

        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(
              new SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onMessage(R message) {
                  if (((ProduceResponse) message).getDuplicate()) {
                    call.duplicates.incrementAndGet();
                  }
                  super.onMessage(message);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                  call.status = status;
                  super.onClose(status, trailers);
                }
              },
              headers);
        }
      };
    }
  }
}
