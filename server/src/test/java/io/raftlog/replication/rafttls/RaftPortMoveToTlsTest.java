package io.raftlog.replication.rafttls;

import static io.raftlog.replication.rafttls.RaftPortProbe.Outcome.REFUSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft port's move from plaintext to mutual TLS without an outage (docs/security.md): three
 * rolling restarts of a 3-node cluster, each node in turn, {@code tls.raft.mode} off -> mtls with
 * {@code tls.plaintext=used} (takes both, dials plaintext) -> {@code accepted} (takes both, dials
 * TLS) -> {@code refused}; after every restart a write succeeds within an election and reaches
 * every node (each is reachable by the others), and no acknowledged record is lost. At the end the
 * port refuses plaintext; while it took both, a caller that sent nothing was cut off within the
 * handshake timeout.
 *
 * <p>In one JVM the nodes' outgoing Raft TLS is shared (Bolt's client settings are JVM-wide): it
 * switches to TLS when the first node reaches {@code accepted}, when every listener takes TLS.
 */
class RaftPortMoveToTlsTest {
  private static final String STREAM = "moving";

  @TempDir Path dir;
  private final Map<String, String[]> modes = new ConcurrentHashMap<>();
  private final Map<String, String> raftAddress = new ConcurrentHashMap<>();
  private final List<String> acknowledged = new ArrayList<>();

  @Test
  void rollingRestartsMoveTheRaftPortToMutualTlsWithoutLosingAWrite() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(
            dir.resolve("nodes"),
            3,
            Map.of(ConfigKeys.CLUSTER_SHARDS.name(), "1"),
            p -> RaftlogServer.start(withMode(p, pki)))) {
      write(cluster, "plaintext");
      CompletableFuture<Long> silent = null;
      for (String[] step :
          List.of(
              new String[] {"mtls", "used"},
              new String[] {"mtls", "accepted"},
              new String[] {"mtls", "refused"})) {
        for (String id : cluster.ids()) {
          if (silent != null && id.equals("1")) {
            long ms = silent.get(30, TimeUnit.SECONDS);
            assertTrue(
                ms < TlsFront.HANDSHAKE_TIMEOUT_MS + 5_000,
                "a connection that sent nothing to a port taking TLS and plaintext was closed after "
                    + ms
                    + " ms");
          }
          handOffPossible(cluster);
          assertEquals(List.of(), cluster.node(id).stop(), "node " + id + " kept a group");
          cluster.stopNode(id);
          modes.put(id, step);
          cluster.startNode(id);
          write(cluster, step[1] + "-" + id);
          if (step[1].equals("accepted") && id.equals("1")) { // judged before its next restart
            silent = RaftPortProbe.silent(raftAddress.get("1"));
          }
        }
      }
      byte[] notTls = "\u0002\u0001 plaintext".getBytes(StandardCharsets.US_ASCII);
      assertEquals(REFUSED, RaftPortProbe.plaintext(raftAddress.get("1"), notTls, 5_000));
      String leader = cluster.awaitLeader(STREAM);
      List<String> read =
          cluster
              .blocking(leader)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .consume(
                  ConsumeRequest.newBuilder()
                      .setStream(STREAM)
                      .setMaxRecords(10_000)
                      .setConsistency(Consistency.LINEARIZABLE)
                      .build())
              .getRecordsList()
              .stream()
              .map(r -> r.getValue().toStringUtf8())
              .toList();
      assertTrue(read.containsAll(acknowledged), read + " lacks some of " + acknowledged);
    }
  }

  private Properties withMode(Properties p, TestPki pki) {
    String id = p.getProperty("node.id");
    String[] mode = modes.getOrDefault(id, new String[] {"off", "refused"});
    TestPki.Issued files = pki.node(id);
    p.setProperty(ConfigKeys.TLS_RAFT_MODE.name(), mode[0]);
    p.setProperty(ConfigKeys.TLS_PLAINTEXT.name(), mode[1]);
    p.setProperty(ConfigKeys.TLS_CERT_FILE.name(), files.cert().toString());
    p.setProperty(ConfigKeys.TLS_KEY_FILE.name(), files.key().toString());
    p.setProperty(ConfigKeys.TLS_CA_FILE.name(), pki.caFile().toString());
    for (String spec : p.getProperty("cluster.peers").split(",")) {
      String[] parts = spec.split("@");
      raftAddress.put(parts[0], parts[1]);
    }
    return p;
  }

  /**
   * Waits as an operator's rolling restart does (scripts/rolling-restart.sh) before the next stop:
   * every node SERVING, and seen so by the others. A leader hands a group only to a replica whose
   * health it saw SERVING, and it keeps a peer's health a second ({@code PeerHealth}): a node
   * stopped within a second of another's restart found no replica to take its group (one run in
   * four on an idle two-core machine).
   */
  private static void handOffPossible(InProcessCluster<RaftlogServer> cluster)
      throws InterruptedException {
    for (String id : cluster.ids()) {
      Await.until(
          Duration.ofSeconds(15),
          "node " + id + " SERVING",
          () ->
              HealthGrpc.newBlockingStub(cluster.channel(id))
                      .withDeadlineAfter(2, TimeUnit.SECONDS)
                      .check(HealthCheckRequest.getDefaultInstance())
                      .getStatus()
                  == HealthCheckResponse.ServingStatus.SERVING);
    }
    Thread.sleep(PEER_HEALTH_KEPT_MS);
  }

  /** How long a node keeps a peer's health (PeerHealth's), and some. */
  private static final long PEER_HEALTH_KEPT_MS = 1_500;

  /** A write that must succeed within an election's time of the last restart. */
  private void write(InProcessCluster<RaftlogServer> cluster, String value) {
    Await.until(
        Duration.ofSeconds(15),
        "a write of " + value,
        () -> {
          cluster
              .blocking(cluster.awaitLeader(STREAM))
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .produce(
                  ProduceRequest.newBuilder()
                      .setStream(STREAM)
                      .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(value)))
                      .build());
          return true;
        });
    acknowledged.add(value);
    // Every node, not only a majority: a node the others cannot reach would fall behind.
    for (String id : cluster.ids()) {
      Await.until(
          Duration.ofSeconds(15),
          "node " + id + " to hold " + value,
          () ->
              cluster
                  .blocking(id)
                  .withDeadlineAfter(5, TimeUnit.SECONDS)
                  .consume(
                      ConsumeRequest.newBuilder()
                          .setStream(STREAM)
                          .setMaxRecords(10_000)
                          .setConsistency(Consistency.LOCAL)
                          .build())
                  .getRecordsList()
                  .stream()
                  .anyMatch(r -> r.getValue().toStringUtf8().equals(value)));
    }
  }
}
