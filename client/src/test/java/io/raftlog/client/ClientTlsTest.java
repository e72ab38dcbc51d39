package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.testkit.TestPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's TLS ({@link ClientTls}): its files checked when the client is built, each problem
 * naming the file; and real TLS handshakes on loopback with a gRPC server that requires a client
 * certificate of the test's CA, as a node in {@code mtls} mode does: the client's certificate
 * shown, the server's checked against the CA and against the address dialled.
 */
class ClientTlsTest {
  @TempDir static Path dir;
  private static TestPki pki;
  private static TestPki.Issued client;
  private static Server server;

  /** The server on 127.0.0.2, an address its certificate does not name. */
  private static Server misnamed;

  /** A plaintext server, as a node with TLS off. */
  private static Server plaintext;

  @BeforeAll
  static void start() throws IOException {
    pki = TestPki.create(dir.resolve("pki"));
    client = pki.client("alice");
    server = start("127.0.0.1");
    misnamed = start("127.0.0.2");
    plaintext =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new LogGrpc.LogImplBase() {})
            .build()
            .start();
  }

  /** A server on {@code host} with node 1's certificate, requiring a client certificate. */
  private static Server start(String host) throws IOException {
    TestPki.Issued node = pki.node("1");
    return NettyServerBuilder.forAddress(
            new InetSocketAddress(host, 0),
            TlsServerCredentials.newBuilder()
                .keyManager(node.cert().toFile(), node.key().toFile())
                .trustManager(pki.caFile().toFile())
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build())
        .addService(
            new LogGrpc.LogImplBase() {
              @Override
              public void getCluster(
                  GetClusterRequest request, StreamObserver<GetClusterResponse> response) {
                response.onNext(ClusterViewTest.cluster("1", "2"));
                response.onCompleted();
              }
            })
        .build()
        .start();
  }

  @AfterAll
  static void stop() {
    server.shutdownNow();
    misnamed.shutdownNow();
    plaintext.shutdownNow();
  }

  @Test
  void aClientWithItsCertificateIsAnswered() {
    GetClusterResponse r =
        getCluster(
            ClientTls.of(pki.caFile(), client.cert(), client.key()),
            "127.0.0.1:" + server.getPort());
    assertTrue(r.getNodesCount() > 0);
  }

  @Test
  void aServerOfAnotherCaIsRefused() {
    TestPki other = TestPki.create(dir.resolve("other"), "another CA");
    assertUnavailable(
        ClientTls.of(other.caFile(), client.cert(), client.key()), "127.0.0.1:" + server.getPort());
  }

  @Test
  void theServerNameIsCheckedAgainstTheAddressDialled() {
    ClientTls tls = ClientTls.of(pki.caFile(), client.cert(), client.key());
    // the certificate names localhost and 127.0.0.1, not 127.0.0.2
    assertUnavailable(tls, "127.0.0.2:" + misnamed.getPort());
    assertTrue(getCluster(tls, "localhost:" + server.getPort()).getNodesCount() > 0);
  }

  @Test
  void aClientWithoutACertificateIsRefused() {
    assertUnavailable(ClientTls.of(pki.caFile()), "127.0.0.1:" + server.getPort());
  }

  /**
   * A TLS failure no retry mends ends the call at once, saying why in words, rather than as
   * "UNAVAILABLE: io exception" after the deadline's 30 s of retries.
   */
  @Test
  void aTlsMismatchFailsAtOnceSayingWhy() {
    String plain = "127.0.0.1:" + plaintext.getPort();
    assertFailsAtOnce(
        RaftlogClient.builder().tls(pki.caFile(), client.cert(), client.key()).servers(plain),
        "cannot reach " + plain + " with TLS: the node answered in plaintext");
    String node = "127.0.0.1:" + server.getPort();
    assertFailsAtOnce(
        RaftlogClient.builder().tls(pki.caFile()).servers(node),
        "cannot reach "
            + node
            + " with TLS: the node refused the client: it requires a client"
            + " certificate");
    TestPki other = TestPki.create(dir.resolve("third"), "a third CA");
    assertFailsAtOnce(
        RaftlogClient.builder().tls(other.caFile()).servers(node),
        "cannot reach " + node + " with TLS: the node's certificate was not issued by a CA");
  }

  private static void assertFailsAtOnce(RaftlogClientBuilder builder, String message) {
    long start = System.nanoTime();
    try (RaftlogClient c = builder.build()) {
      RaftlogException e = assertThrows(RaftlogException.class, () -> c.listStreams(""));
      assertTrue(e.getMessage().contains(message), e.getMessage());
      assertEquals(Status.Code.UNAVAILABLE, e.code());
    }
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "at once, not retried");
  }

  @Test
  void eachBadFileIsRefusedAtBuildNamingIt() throws IOException {
    Path missing = dir.resolve("missing.pem");
    assertRefused(ClientTls.of(missing), "CA file " + missing + ": does not exist");
    Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
    assertRefused(ClientTls.of(empty), "CA file " + empty + ": holds no PEM certificate");
    TestPki.Issued expired = pki.expired("old", "old");
    assertRefused(
        ClientTls.of(pki.caFile(), expired.cert(), expired.key()),
        "client certificate file " + expired.cert() + ": the certificate of CN=old expired on ");
    TestPki.Issued bob = pki.client("bob");
    assertRefused(
        ClientTls.of(pki.caFile(), client.cert(), bob.key()),
        "client key file " + bob.key() + ": is not the key of the certificate in " + client.cert());
    assertRefused(
        ClientTls.of(pki.caFile(), client.cert(), client.cert()),
        "client key file " + client.cert() + ": holds no PEM private key");
    IllegalArgumentException half =
        assertThrows(
            IllegalArgumentException.class,
            () -> RaftlogClient.builder().tls(pki.caFile(), client.cert(), null));
    assertTrue(
        half.getMessage().startsWith("a client certificate needs its key"), half.getMessage());
  }

  private static void assertUnavailable(ClientTls tls, String node) {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> getCluster(tls, node));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
  }

  private static void assertRefused(ClientTls tls, String start) {
    RaftlogClientBuilder b =
        tls.mutual()
            ? RaftlogClient.builder().tls(tls.ca(), tls.cert(), tls.key())
            : RaftlogClient.builder().tls(tls.ca());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }

  private static GetClusterResponse getCluster(ClientTls tls, String node) {
    try (NodeChannels channels =
        new NodeChannels(
            ClientOptions.defaults()
                .with(ClientSettings.SERVERS, List.of(node))
                .with(ClientSettings.TLS, Optional.of(tls)))) {
      return channels
          .blocking(node)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .getCluster(GetClusterRequest.getDefaultInstance());
    }
  }
}
