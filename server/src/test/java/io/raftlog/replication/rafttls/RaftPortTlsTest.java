package io.raftlog.replication.rafttls;

import static io.raftlog.replication.rafttls.RaftPortProbe.Outcome.OPEN;
import static io.raftlog.replication.rafttls.RaftPortProbe.Outcome.REFUSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.TestPki;
import io.raftlog.tls.PemFiles;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A cluster whose Raft port is mutual TLS ({@code tls.raft.mode=mtls}; the gRPC port stays
 * plaintext): it forms, replicates and survives its leader's loss; the port refuses a certificate
 * of the same CA that names no member node, a member's-looking certificate of a non-member id, a
 * caller without certificate and plaintext, at once, logging nothing at ERROR, and cuts off a
 * caller that says nothing within the handshake timeout; and new connections get a node's new
 * certificate once its files change.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RaftPortTlsTest {
  private static final String STREAM = "tls";

  @TempDir static Path dir;
  private static TestPki pki;
  private static InProcessCluster<RaftlogServer> cluster;
  private static final Map<String, String> raftAddress = new ConcurrentHashMap<>();
  private static final Map<String, Path> dataDir = new ConcurrentHashMap<>();
  private static final List<String> acknowledged = new ArrayList<>();
  private static CompletableFuture<Long> silent; // a connection that never says a word

  @BeforeAll
  static void start() {
    pki = TestPki.create(dir.resolve("pki"));
    cluster =
        InProcessCluster.start(
            dir.resolve("nodes"),
            3,
            Map.of(
                ConfigKeys.CLUSTER_SHARDS.name(), "1",
                ConfigKeys.TLS_RAFT_MODE.name(), "mtls",
                ConfigKeys.TLS_RELOAD_INTERVAL_MS.name(), "200"),
            RaftPortTlsTest::startNode);
  }

  /** Starts a node with its own certificate files, noting its Raft address and data dir. */
  static RaftlogServer startNode(Properties p) throws Exception {
    String id = p.getProperty("node.id");
    TestPki.Issued files = pki.node(id);
    p.setProperty(ConfigKeys.TLS_CERT_FILE.name(), files.cert().toString());
    p.setProperty(ConfigKeys.TLS_KEY_FILE.name(), files.key().toString());
    p.setProperty(ConfigKeys.TLS_CA_FILE.name(), pki.caFile().toString());
    if (p.getProperty("cluster.peers") == null) { // a node that joins
      raftAddress.put(id, p.getProperty("node.raft-address"));
    } else {
      for (String spec : p.getProperty("cluster.peers").split(",")) {
        String[] parts = spec.split("@");
        raftAddress.put(parts[0], parts[1]);
      }
    }
    dataDir.put(id, Path.of(p.getProperty("data.dir")));
    return RaftlogServer.start(p);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void replicatesOverMutualTls() {
    silent = RaftPortProbe.silent(raftAddress.get("2")); // judged by the last test
    produce("before-" + System.nanoTime());
    for (String id : cluster.ids()) {
      Await.until(
          Duration.ofSeconds(15),
          "node " + id + " to hold " + acknowledged,
          () -> localValues(id).containsAll(acknowledged));
    }
    assertTrue(Files.exists(dataDir.get("1").resolve(RaftKeystore.FILE)), "the keystore");
  }

  @Test
  @Order(2)
  void onlyMemberNodesCertificatesPassTheHandshake() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    root.addAppender(lines);
    try {
      String port = raftAddress.get("1");
      long started = System.nanoTime();
      assertEquals(REFUSED, RaftPortProbe.tls(client(pki.client("alice")), port, 5_000), "alice");
      assertEquals(REFUSED, RaftPortProbe.tls(client(pki.node("9")), port, 5_000), "node 9");
      assertEquals(REFUSED, RaftPortProbe.tls(client(null), port, 5_000), "no certificate");
      byte[] boltish = "\u0002\u0001\u0000\u0001 not TLS at all".getBytes(StandardCharsets.UTF_8);
      assertEquals(REFUSED, RaftPortProbe.plaintext(port, boltish, 5_000), "plaintext");
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(tookMs < 10_000, "refusals took " + tookMs + " ms");
      // The control: a member node's certificate is taken (the refusals are the identity check's).
      assertEquals(OPEN, RaftPortProbe.tls(client(aPeer()), port, 1_500), "node 2");
      produce("after-strangers-" + System.nanoTime());
      List<String> errors =
          lines.list.stream()
              .filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
              .map(ILoggingEvent::getFormattedMessage)
              .toList();
      assertEquals(List.of(), errors, "logged at ERROR for strangers");
    } finally {
      root.detachAppender(lines);
    }
  }

  @Test
  @Order(3)
  void newConnectionsGetTheReloadedCertificate() throws Exception {
    String port = raftAddress.get("1");
    SSLContext peer = client(aPeer());
    BigInteger before = RaftPortProbe.serverSerial(peer, port);
    byte[] keystoreBefore = Files.readAllBytes(dataDir.get("1").resolve(RaftKeystore.FILE));
    TestPki.Issued renewed = pki.node("1"); // same names, a new key and serial
    BigInteger expected = PemFiles.certificates("cert", renewed.cert()).get(0).getSerialNumber();
    assertNotEquals(before, expected);
    Await.until(
        Duration.ofSeconds(10),
        "node 1's Raft port to show serial " + expected + " (was " + before + ")",
        () -> expected.equals(serialOrNull(peer, port)));
    Await.until(
        Duration.ofSeconds(5),
        "node 1's keystore (its Raft calls' certificate) to be rewritten",
        () -> !java.util.Arrays.equals(keystoreBefore, readKeystore("1")));
    produce("after-reload-" + System.nanoTime());
  }

  /**
   * A node that joins knows no member until the catalog reaches it over the Raft port, so until
   * then it takes any node certificate of its CAs (else it would refuse the meta leader forever).
   */
  @Test
  @Order(4)
  void aJoiningNodeGetsTheCatalogOverMutualTls() throws Exception {
    String joiner = cluster.addNode();
    Await.until(
        Duration.ofSeconds(30),
        "node " + joiner + " to know the 4 nodes from the catalog",
        () ->
            cluster
                    .blocking(joiner)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getCluster(GetClusterRequest.getDefaultInstance())
                    .getNodesCount()
                == 4);
    assertEquals(REFUSED, RaftPortProbe.tls(client(aStranger()), raftAddress.get(joiner), 5_000));
  }

  @Test
  @Order(5)
  void survivesTheLeadersLoss() throws Exception {
    String leader = cluster.awaitLeader(STREAM);
    cluster.stopNode(leader);
    String value = "after-loss-" + System.nanoTime();
    String next =
        Await.value(
            Duration.ofSeconds(30),
            "a write after node " + leader + " was lost",
            () -> produceOn(cluster.awaitLeader(STREAM), value));
    assertNotEquals(leader, next);
    List<String> read =
        values(
            cluster
                .blocking(next)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .consume(
                    ConsumeRequest.newBuilder()
                        .setStream(STREAM)
                        .setMaxRecords(10_000)
                        .setConsistency(Consistency.LINEARIZABLE)
                        .build())
                .getRecordsList());
    assertTrue(read.containsAll(acknowledged), read + " lacks some of " + acknowledged);
    long silentMs = silent.get(30, TimeUnit.SECONDS);
    assertTrue(
        silentMs < TlsFront.HANDSHAKE_TIMEOUT_MS + 5_000,
        "a connection that sent nothing was closed after " + silentMs + " ms");
  }

  /** Node 2's certificate in files of their own (its node's files stay as they are). */
  private static TestPki.Issued aPeer() {
    return pki.issue("node-2", "peer-2", Duration.ZERO, Duration.ofDays(1));
  }

  private static TestPki.Issued aStranger() {
    return pki.client("alice");
  }

  private static SSLContext client(TestPki.Issued who) throws Exception {
    return RaftPortProbe.client(who, pki.caFile());
  }

  private static BigInteger serialOrNull(SSLContext c, String port) {
    try {
      return RaftPortProbe.serverSerial(c, port);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static byte[] readKeystore(String id) {
    try {
      return Files.readAllBytes(dataDir.get(id).resolve(RaftKeystore.FILE));
    } catch (java.io.IOException e) {
      return new byte[0];
    }
  }

  private static void produce(String value) {
    Await.value(
        Duration.ofSeconds(20),
        "a write of " + value,
        () -> produceOn(cluster.awaitLeader(STREAM), value));
  }

  /** Writes {@code value} through node {@code id}; answers the node's id once acknowledged. */
  private static String produceOn(String id, String value) {
    cluster
        .blocking(id)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .produce(
            ProduceRequest.newBuilder()
                .setStream(STREAM)
                .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(value)))
                .build());
    synchronized (acknowledged) {
      acknowledged.add(value);
    }
    return id;
  }

  private static List<String> localValues(String id) {
    try {
      return values(
          cluster
              .blocking(id)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .consume(
                  ConsumeRequest.newBuilder()
                      .setStream(STREAM)
                      .setMaxRecords(10_000)
                      .setConsistency(Consistency.LOCAL)
                      .build())
              .getRecordsList());
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  private static List<String> values(List<Record> records) {
    return records.stream().map(r -> r.getValue().toStringUtf8()).toList();
  }
}
