package io.raftlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ClusterTls;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.Records;
import io.raftlog.testkit.TestPki;
import io.raftlog.tls.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's certificate, key and CA files replaced while a client produces through it without a
 * pause: the node takes the new files within {@code tls.reload-interval-ms}, without a restart. A
 * new connection then sees the new certificate; the producer's connection, opened before, goes on
 * with no failed call. After the CA bundle is replaced by a new CA, a client certificate of the old
 * CA is refused on a new connection (a CA revoked by a reload).
 *
 * <p>It pins a failure of the first version, which kept the server context made at start: after the
 * CA changed, that context still named the old CA in its certificate request, so a client of the
 * new CA showed no certificate and was refused.
 */
class CertificateReloadTest {
  @TempDir Path dir;

  @Test
  void replacedCertificateAndCaFilesAreTakenWithoutARestartWhileAProducerCarriesOn()
      throws Exception {
    TestPki first = TestPki.create(dir.resolve("first"));
    Path live = Files.createDirectories(dir.resolve("live"));
    Path cert = live.resolve("node.pem");
    Path key = live.resolve("node.key");
    Path ca = live.resolve("ca.pem");
    install(first.node("1"), first.caFile(), cert, key, ca);
    Map<String, String> settings =
        Map.of(
            "tls.cert-file", cert.toString(),
            "tls.key-file", key.toString(),
            "tls.ca-file", ca.toString(),
            "tls.reload-interval-ms", "200");
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(
                dir.resolve("nodes"),
                1,
                settings,
                ClusterTls.of(first, "mtls"),
                RaftlogServer::start);
        Producer producer =
            new Producer(cluster.clientAddress("1"), credentials(first.client("alice"), ca))) {
      cluster.awaitLeader();
      String address = cluster.clientAddress("1");
      producer.start();
      producer.awaitWrites(20);

      // A new certificate of the same CA.
      TestPki.Issued renewed = first.node("1");
      install(renewed, first.caFile(), cert, key, ca);
      BigInteger renewedSerial = serial(renewed.cert());
      Await.until(
          Duration.ofSeconds(10),
          "a new connection seeing the renewed certificate",
          () -> renewedSerial.equals(seenOrNull(address, first.client("bob"), first.caFile())));
      producer.awaitWrites(20);

      // A new CA: the node's certificate and the CA bundle replaced by the new CA's.
      TestPki second = TestPki.create(dir.resolve("second"), "second CA");
      TestPki.Issued moved = second.node("1");
      install(moved, second.caFile(), cert, key, ca);
      BigInteger movedSerial = serial(moved.cert());
      Await.until(
          Duration.ofSeconds(10),
          "a new connection seeing the certificate of the new CA",
          () -> movedSerial.equals(seenOrNull(address, second.client("carol"), second.caFile())));
      // A client certificate of the old CA (trusting the new one): refused on a new connection.
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () -> serialSeen(address, first.client("dave"), second.caFile()));
      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
      producer.awaitWrites(20);
      producer.stop();

      assertEquals(
          0, producer.failures(), "failed calls of the producer: " + producer.firstFailure());
      assertTrue(producer.writes() > 60, "writes: " + producer.writes());
    }
  }

  /** Puts a node's files in place: each written whole, then renamed over the one in use. */
  private static void install(TestPki.Issued node, Path caFrom, Path cert, Path key, Path ca)
      throws IOException {
    copy(caFrom, ca);
    copy(node.cert(), cert);
    copy(node.key(), key);
  }

  private static void copy(Path from, Path to) throws IOException {
    Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
    Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static BigInteger serial(Path certFile) {
    return PemFiles.certificates("cert", certFile).get(0).getSerialNumber();
  }

  private static ChannelCredentials credentials(TestPki.Issued client, Path caFile)
      throws IOException {
    return TlsChannelCredentials.newBuilder()
        .keyManager(client.cert().toFile(), client.key().toFile())
        .trustManager(caFile.toFile())
        .build();
  }

  /** {@link #serialSeen}, or null while the connection cannot be made (still the old files). */
  private static BigInteger seenOrNull(String address, TestPki.Issued client, Path caFile) {
    try {
      return serialSeen(address, client, caFile);
    } catch (StatusRuntimeException | IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The serial of the certificate the node shows a new connection (a call on a new channel). */
  private static BigInteger serialSeen(String address, TestPki.Issued client, Path caFile)
      throws IOException, InterruptedException {
    AtomicReference<SSLSession> session = new AtomicReference<>();
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(address, credentials(client, caFile)).build();
    try {
      Channel seeing = ClientInterceptors.intercept(channel, new SessionOf(session));
      LogGrpc.newBlockingStub(seeing)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build());
      return ((X509Certificate) session.get().getPeerCertificates()[0]).getSerialNumber();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Keeps the TLS session of the connection a call went over. */
  private record SessionOf(AtomicReference<SSLSession> session) implements ClientInterceptor {
    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(
        MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
      ClientCall<Q, A> call = next.newCall(method, options);
      return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
        @Override
        public void start(Listener<A> listener, Metadata headers) {
          super.start(
              new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onHeaders(Metadata h) {
                  session.set(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                  super.onHeaders(h);
                }
              },
              headers);
        }
      };
    }
  }

  /** Produces without a pause over one channel, counting writes and failures. */
  private static final class Producer implements AutoCloseable {
    private final ManagedChannel channel;
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private volatile boolean running = true;
    private Thread thread;

    Producer(String address, ChannelCredentials credentials) {
      this.channel = NettyChannelBuilder.forTarget(address, credentials).build();
    }

    void start() {
      thread =
          new Thread(
              () -> {
                LogGrpc.LogBlockingStub stub = LogGrpc.newBlockingStub(channel);
                for (int n = 0; running; n++) {
                  try {
                    stub.withDeadlineAfter(5, TimeUnit.SECONDS)
                        .produce(Records.batch("r-" + n).toBuilder().setStream("reload").build());
                    writes.incrementAndGet();
                  } catch (StatusRuntimeException e) {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, e.getStatus().toString());
                  }
                }
              },
              "reload-producer");
      thread.start();
    }

    void awaitWrites(int more) {
      int target = writes.get() + more;
      Await.until(Duration.ofSeconds(20), more + " more writes", () -> writes.get() >= target);
    }

    int writes() {
      return writes.get();
    }

    int failures() {
      return failures.get();
    }

    String firstFailure() {
      return firstFailure.get();
    }

    void stop() throws InterruptedException {
      running = false;
      if (thread != null) {
        thread.join(10_000);
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
