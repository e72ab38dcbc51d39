package io.raftlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.Record;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ClusterTls;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.Records;
import io.raftlog.testkit.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The move of a running cluster's gRPC port from plaintext to mutual TLS, by three rolling
 * restarts, as docs/security.md tells an operator: every node to {@code tls.api.mode=mtls} with
 * {@code tls.plaintext=used} (it takes both, and still calls the others in plaintext, which every
 * node takes), then to {@code accepted} (it calls the others in TLS, which every node now takes),
 * then to {@code refused}. A writer producing through every node in turn, in plaintext until the
 * last step and in TLS from then on, never waits longer than a leadership change, and no record it
 * saw acknowledged is lost.
 */
class PlaintextToMutualTlsTest {
  /** Longest a write may stay without success: an election (0.6 to 0.9 s) on a busy machine. */
  private static final Duration LONGEST_OUTAGE = Duration.ofSeconds(3);

  @TempDir Path dir;

  @Test
  void aClusterMovesFromPlaintextToMutualTlsByRollingRestartsWithoutAnOutageOrALostRecord()
      throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    ClusterTls files = ClusterTls.of(pki, "off"); // each node's files; plaintext to begin with
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(dir.resolve("nodes"), 3, Map.of(), files, RaftlogServer::start);
        Writer writer = new Writer(cluster)) {
      cluster.awaitShardLeaders();
      writer.start();
      writer.awaitWrites(20);

      Map<String, String> used = Map.of("tls.api.mode", "mtls", "tls.plaintext", "used");
      Map<String, String> accepted = Map.of("tls.api.mode", "mtls", "tls.plaintext", "accepted");
      Map<String, String> refused = Map.of("tls.api.mode", "mtls", "tls.plaintext", "refused");
      ChannelCredentials kit = ClusterTls.of(pki, "mtls").kitCredentials();
      ChannelCredentials client = files.credentials(pki.client("writer"));

      rollingRestart(cluster, used, writer, InsecureChannelCredentials.create());
      rollingRestart(cluster, accepted, writer, InsecureChannelCredentials.create());
      // The window: one port takes a plaintext caller and a TLS caller alike.
      for (String id : cluster.ids()) {
        assertServed(cluster.clientAddress(id), InsecureChannelCredentials.create());
        assertServed(cluster.clientAddress(id), client);
      }
      // Clients move to TLS before the last step.
      cluster.kitCredentials(kit);
      writer.use(client);
      writer.awaitWrites(20);
      rollingRestart(cluster, refused, writer, client);
      writer.awaitWrites(20);
      writer.stop();
      System.out.printf(
          "plaintext to mTLS: %d writes acknowledged, longest without one %s%n",
          writer.acknowledged().size(), writer.longestOutage());

      for (String id : cluster.ids()) {
        StatusRuntimeException e =
            assertThrows(
                StatusRuntimeException.class,
                () -> call(cluster.clientAddress(id), InsecureChannelCredentials.create()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), "plaintext to node " + id);
      }
      assertTrue(
          writer.longestOutage().compareTo(LONGEST_OUTAGE) < 0,
          "the writer went " + writer.longestOutage() + " without a successful write");
      Set<String> log = new HashSet<>(readAll(cluster.clientAddress("1"), client));
      Set<String> lost = new HashSet<>(writer.acknowledged());
      lost.removeAll(log);
      assertEquals(Set.of(), lost, "acknowledged records not in the log");
      assertTrue(writer.acknowledged().size() > 60, "writes: " + writer.acknowledged().size());
    }
  }

  /**
   * Each node in turn: stopped cleanly, started with {@code settings}, serving again; then every
   * node takes a write of a client with {@code credentials} (those to a follower cross the
   * node-to-node hop: a node that dialled in TLS a node not yet taking it would fail them).
   */
  private static void rollingRestart(
      InProcessCluster<RaftlogServer> cluster,
      Map<String, String> settings,
      Writer writer,
      ChannelCredentials credentials)
      throws InterruptedException {
    for (String id : cluster.ids()) {
      cluster.node(id).stop();
      cluster.stopNode(id);
      cluster.startNode(id, settings);
      Await.until(
          Duration.ofSeconds(20),
          "node " + id + " SERVING after its restart",
          () -> serving(cluster.channel(id)));
      writer.awaitWrites(5);
      for (String through : cluster.ids()) {
        Await.until(
            Duration.ofSeconds(10),
            "a write through node " + through + " after node " + id + " restarted with " + settings,
            () -> {
              try {
                produce(cluster.clientAddress(through), credentials);
                return true;
              } catch (StatusRuntimeException e) {
                return false;
              }
            });
      }
    }
  }

  private static void produce(String address, ChannelCredentials credentials) {
    ManagedChannel channel = NettyChannelBuilder.forTarget(address, credentials).build();
    try {
      LogGrpc.newBlockingStub(channel)
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .produce(Records.batch("check").toBuilder().setStream("moving-check").build());
    } finally {
      channel.shutdownNow();
    }
  }

  private static boolean serving(ManagedChannel channel) {
    try {
      return HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus()
          == ServingStatus.SERVING;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  private static void assertServed(String address, ChannelCredentials credentials)
      throws InterruptedException {
    call(address, credentials);
  }

  private static void call(String address, ChannelCredentials credentials)
      throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forTarget(address, credentials).build();
    try {
      LogGrpc.newBlockingStub(channel)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static List<String> readAll(String address, ChannelCredentials credentials)
      throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forTarget(address, credentials).build();
    try {
      LogGrpc.LogBlockingStub stub = LogGrpc.newBlockingStub(channel);
      List<String> out = new java.util.ArrayList<>();
      while (true) {
        List<Record> got =
            stub.withDeadlineAfter(10, TimeUnit.SECONDS)
                .consume(
                    ConsumeRequest.newBuilder()
                        .setStream(Writer.STREAM)
                        .setOffset(out.size())
                        .setMaxRecords(10_000)
                        .setConsistency(Consistency.LINEARIZABLE)
                        .build())
                .getRecordsList();
        if (got.isEmpty()) {
          return out;
        }
        got.forEach(r -> out.add(r.getValue().toStringUtf8()));
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Produces one record at a time, each to the next node in turn (most go to a follower, which
   * forwards them over the node-to-node hop being moved), and keeps what was acknowledged and the
   * longest time between two acknowledgements.
   */
  private static final class Writer implements AutoCloseable {
    static final String STREAM = "moving";

    private final InProcessCluster<RaftlogServer> cluster;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile ChannelCredentials credentials = InsecureChannelCredentials.create();
    private volatile boolean running = true;
    private volatile long longestNanos;
    private Thread thread;

    Writer(InProcessCluster<RaftlogServer> cluster) {
      this.cluster = cluster;
    }

    void start() {
      thread = new Thread(this::run, "tls-move-writer");
      thread.start();
    }

    /** From now on the writer opens its channels with {@code next} (the old ones are closed). */
    synchronized void use(ChannelCredentials next) {
      credentials = next;
      channels.values().forEach(ManagedChannel::shutdownNow);
      channels.clear();
    }

    private synchronized ManagedChannel channel(String id) {
      return channels.computeIfAbsent(
          id, k -> NettyChannelBuilder.forTarget(cluster.clientAddress(k), credentials).build());
    }

    private void run() {
      long lastOk = System.nanoTime();
      for (long n = 0; running; n++) {
        List<String> ids = cluster.ids();
        String id = ids.get((int) (n % ids.size()));
        String value = "r-" + n;
        try {
          LogGrpc.newBlockingStub(channel(id))
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .produce(Records.batch(value).toBuilder().setStream(STREAM).build());
          acknowledged.add(value);
          long now = System.nanoTime();
          longestNanos = Math.max(longestNanos, now - lastOk);
          lastOk = now;
        } catch (StatusRuntimeException e) {
          longestNanos = Math.max(longestNanos, System.nanoTime() - lastOk);
          sleep(20);
        }
      }
    }

    /** Waits for {@code more} acknowledgements from now. */
    void awaitWrites(int more) {
      int target = acknowledged.size() + more;
      Await.until(
          Duration.ofSeconds(20), more + " more writes", () -> acknowledged.size() >= target);
    }

    Set<String> acknowledged() {
      return acknowledged;
    }

    Duration longestOutage() {
      return Duration.ofNanos(longestNanos);
    }

    void stop() throws InterruptedException {
      running = false;
      if (thread != null) {
        thread.join(10_000);
      }
    }

    private static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
      channels.values().forEach(ManagedChannel::shutdownNow);
    }
  }
}
