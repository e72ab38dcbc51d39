package io.raftlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import io.raftlog.testkit.FreePorts;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.Records;
import io.raftlog.testkit.TestPki;
import io.raftlog.wire.HostPort;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A three-node cluster whose gRPC port requires mutual TLS ({@code tls.api.mode=mtls}), with
 * certificates made by the test's own CA. A client showing a certificate of that CA produces and
 * consumes through every node, and what a node cannot answer itself (a write to a follower, a
 * linearizable read) it forwards to the leader over node-to-node mutual TLS. Every other caller is
 * refused at the handshake, quickly, the node unharmed and nothing logged at ERROR: plaintext, no
 * certificate, another CA's, an expired one, a huge chain, a handshake that never ends. The
 * plaintext health port answers {@code grpc.health.v1} and nothing else.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MutualTlsClusterTest {
  private static final int HANDSHAKE_TIMEOUT_MS = 2_000;
  private static final Duration QUICKLY = Duration.ofSeconds(3);

  @TempDir static Path dir;

  private static TestPki pki;
  private static ClusterTls tls;
  private static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void startCluster() {
    pki = TestPki.create(dir.resolve("pki"));
    tls = ClusterTls.of(pki, "mtls");
    cluster =
        InProcessCluster.start(
            dir.resolve("nodes"),
            3,
            Map.of("net.handshake-timeout-ms", String.valueOf(HANDSHAKE_TIMEOUT_MS)),
            tls,
            RaftlogServer::start);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void aClientWithACertificateOfTheClustersCaProducesAndConsumesThroughEveryNode()
      throws InterruptedException {
    cluster.awaitShardLeaders();
    ChannelCredentials alice = tls.credentials(pki.client("alice"));
    List<String> written = new ArrayList<>();
    for (String id : cluster.ids()) {
      ManagedChannel channel = channel(cluster.clientAddress(id), alice);
      try {
        stub(channel).produce(Records.batch("through-" + id).toBuilder().setStream("mtls").build());
        written.add("through-" + id);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    for (String id : cluster.ids()) {
      ManagedChannel channel = channel(cluster.clientAddress(id), alice);
      try {
        assertEquals(written, readAll(stub(channel), "mtls"), "read through node " + id);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @Order(2)
  void callersWithoutACertificateOfTheClustersCaAreRefusedQuicklyAndNothingIsLoggedAtError()
      throws Exception {
    TestPki.Issued expired = pki.expired("eve", "eve-expired");
    TestPki.Issued trudy = pki.client("trudy");
    Path longChain = pki.longChain(trudy, "trudy-chain", 500);
    TestPki other = TestPki.create(dir.resolve("other"), "another CA");
    try (Errors errors = Errors.capture()) {
      String node = cluster.clientAddress("1");
      assertRefusedQuickly("plaintext", node, InsecureChannelCredentials.create());
      assertRefusedQuickly("TLS without a certificate", node, tls.credentials(null));
      assertRefusedQuickly(
          "a certificate of another CA", node, tls.credentials(other.client("mallory")));
      assertRefusedQuickly("an expired certificate", node, tls.credentials(expired));
      assertLongChainRefusedQuickly(node, longChain, trudy.key());
      assertClosedByHandshakeTimeout("a connection that sends nothing", node, new byte[0]);
      // A TLS record header announcing a ClientHello, and only a part of it.
      byte[] partialHello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03};
      assertClosedByHandshakeTimeout("a partial ClientHello", node, partialHello);
      assertNodesUnharmed();
      assertEquals(List.of(), errors.lines(), "logged at ERROR (or SEVERE) for hostile clients");
    }
  }

  @Test
  @Order(3)
  void thePlaintextHealthPortAnswersHealthChecksOnlyWhileTheApiPortRequiresMutualTls()
      throws Exception {
    int port = FreePorts.next();
    cluster.stopNode("3");
    cluster.startNode("3", Map.of("health.plaintext-port", String.valueOf(port)));
    String health = HostPort.parse(cluster.clientAddress("3")).host() + ":" + port;
    ManagedChannel plain = channel(health, InsecureChannelCredentials.create());
    try {
      Await.until(
          Duration.ofSeconds(20),
          "node 3 SERVING on its plaintext health port",
          () -> status(plain, "") == ServingStatus.SERVING);
      assertEquals(ServingStatus.SERVING, status(plain, LogGrpc.SERVICE_NAME));
      StatusRuntimeException produce =
          assertThrows(
              StatusRuntimeException.class,
              () -> stub(plain).produce(Records.batch("x").toBuilder().setStream("h").build()));
      assertEquals(Status.Code.UNIMPLEMENTED, produce.getStatus().getCode());
      // The API port of the same node still refuses a plaintext caller.
      assertRefusedQuickly(
          "plaintext on the API port",
          cluster.clientAddress("3"),
          InsecureChannelCredentials.create());
      // TLS to a plaintext gRPC port: refused quickly too.
      assertRefusedQuickly(
          "TLS to the plaintext port", health, tls.credentials(pki.client("alice")));
    } finally {
      plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertNodesUnharmed();
  }

  private static ServingStatus status(ManagedChannel channel, String service) {
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build())
          .getStatus();
    } catch (StatusRuntimeException e) {
      return null;
    }
  }

  private static void assertRefusedQuickly(
      String who, String address, ChannelCredentials credentials) throws InterruptedException {
    ManagedChannel channel = channel(address, credentials);
    try {
      long started = System.nanoTime();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  stub(channel)
                      .getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build()),
              who + " was served");
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), who + ": " + e.getStatus());
      assertTrue(took.compareTo(QUICKLY) < 0, who + " was refused only after " + took);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * A client showing a chain of 500 certificates: gRPC's own TLS (OpenSSL) will not even send one,
   * so the JDK's does, as a hostile client would. Refused means: the handshake or the first read
   * fails, quickly; a node that took it would answer HTTP/2's preface with its SETTINGS.
   */
  private static void assertLongChainRefusedQuickly(String address, Path chainFile, Path keyFile)
      throws Exception {
    java.security.cert.X509Certificate[] chain =
        io.raftlog.tls.PemFiles.certificates("chain", chainFile)
            .toArray(new java.security.cert.X509Certificate[0]);
    java.security.PrivateKey key = io.raftlog.tls.PemFiles.privateKey("key", keyFile);
    javax.net.ssl.X509KeyManager keys =
        new javax.net.ssl.X509ExtendedKeyManager() {
          @Override
          public String[] getClientAliases(String t, java.security.Principal[] issuers) {
            return new String[] {"trudy"};
          }

          @Override
          public String chooseClientAlias(
              String[] t, java.security.Principal[] issuers, Socket socket) {
            return "trudy";
          }

          @Override
          public String[] getServerAliases(String t, java.security.Principal[] issuers) {
            return null;
          }

          @Override
          public String chooseServerAlias(
              String t, java.security.Principal[] issuers, Socket socket) {
            return null;
          }

          @Override
          public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
            return chain;
          }

          @Override
          public java.security.PrivateKey getPrivateKey(String alias) {
            return key;
          }
        };
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry(
        "ca", io.raftlog.tls.PemFiles.certificates("ca", pki.caFile()).get(0));
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
    ssl.init(new javax.net.ssl.KeyManager[] {keys}, tmf.getTrustManagers(), null);
    HostPort at = HostPort.parse(address);
    long started = System.nanoTime();
    int answered = -1;
    try (javax.net.ssl.SSLSocket s =
        (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket(at.host(), at.port())) {
      s.setSoTimeout(10_000);
      javax.net.ssl.SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      s.getOutputStream()
          .write(
              "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      answered = s.getInputStream().read();
    } catch (java.io.IOException refused) {
      // the handshake failed, or the node's alert ended the connection
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertEquals(-1, answered, "a chain of 500 certificates was served");
    assertTrue(took.compareTo(QUICKLY) < 0, "a chain of 500 certificates refused after " + took);
  }

  /** Sends {@code bytes}, then nothing: the node must close the socket by its handshake timeout. */
  private static void assertClosedByHandshakeTimeout(String who, String address, byte[] bytes)
      throws Exception {
    HostPort at = HostPort.parse(address);
    try (Socket s = new Socket(at.host(), at.port())) {
      s.setSoTimeout(HANDSHAKE_TIMEOUT_MS + 5_000);
      long started = System.nanoTime();
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
      InputStream in = s.getInputStream();
      try {
        while (in.read() >= 0) {
          // whatever the node answers (an alert), until it closes
        }
      } catch (SocketException reset) {
        // closed with a reset: closed all the same
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertTrue(
          took.compareTo(Duration.ofMillis(HANDSHAKE_TIMEOUT_MS + 2_000)) < 0,
          who + " was closed only after " + took);
    }
  }

  /** Every node still serves a client of the cluster's CA. */
  private static void assertNodesUnharmed() throws InterruptedException {
    ChannelCredentials alice = tls.credentials(pki.client("alice"));
    for (String id : cluster.ids()) {
      ManagedChannel channel = channel(cluster.clientAddress(id), alice);
      try {
        Await.until(
            Duration.ofSeconds(20),
            "node " + id + " taking a write",
            () -> {
              try {
                stub(channel)
                    .produce(Records.batch("after").toBuilder().setStream("unharmed").build());
                return true;
              } catch (StatusRuntimeException e) {
                return false;
              }
            });
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static ManagedChannel channel(String address, ChannelCredentials credentials) {
    return NettyChannelBuilder.forTarget(address, credentials).build();
  }

  private static LogGrpc.LogBlockingStub stub(ManagedChannel channel) {
    return LogGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static List<String> readAll(LogGrpc.LogBlockingStub stub, String stream) {
    List<String> out = new ArrayList<>();
    for (Record r :
        stub.consume(
                ConsumeRequest.newBuilder()
                    .setStream(stream)
                    .setMaxRecords(100)
                    .setConsistency(Consistency.LINEARIZABLE)
                    .build())
            .getRecordsList()) {
      out.add(r.getValue().toStringUtf8());
    }
    return out;
  }

  /** What every logger of this JVM logs at ERROR (logback) or SEVERE (gRPC's JUL) meanwhile. */
  private static final class Errors implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> logback = new ListAppender<>();
    private final java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
    private final List<String> jul = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Handler julHandler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue()) {
              jul.add(r.getLoggerName() + ": " + r.getMessage());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };

    static Errors capture() {
      Errors e = new Errors();
      e.logback.start();
      e.root.addAppender(e.logback);
      e.julRoot.addHandler(e.julHandler);
      return e;
    }

    List<String> lines() {
      List<String> out = new ArrayList<>(jul);
      for (ILoggingEvent e : List.copyOf(logback.list)) {
        if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
          out.add(e.getLoggerName() + ": " + e.getFormattedMessage());
        }
      }
      return out;
    }

    @Override
    public void close() {
      root.detachAppender(logback);
      julRoot.removeHandler(julHandler);
    }
  }
}
