package io.raftlog.chaos;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.testkit.ProcessCluster;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Proof, once the nodes of a {@code --tls} run are up, that mutual TLS is in force on both hops of
 * each node, so that a run that passes with {@code --tls} passed with it: the gRPC port refuses a
 * plaintext call and a TLS call without a client certificate, and the Raft port answers a TLS
 * handshake with the node's own certificate, issued by the run's CA. A node that fails any of them
 * fails the run before the first fault. Runs on the run's thread, a few handshakes per node.
 */
final class TlsInForce {
  private static final long CALL_DEADLINE_MS = 5_000;
  private static final int HANDSHAKE_TIMEOUT_MS = 5_000;

  private TlsInForce() {}

  /** Checks every node of {@code nodes}; an IllegalStateException naming the first that fails. */
  static void check(ProcessCluster nodes, RunCertificates certificates) throws IOException {
    X509Certificate ca = readCa(certificates.cluster().pki().caFile());
    for (String id : nodes.ids()) {
      String api = nodes.clientAddress(id);
      refused(api, InsecureChannelCredentials.create(), "a plaintext call", id);
      refused(
          api,
          certificates.cluster().credentials(null),
          "a TLS call without a client certificate",
          id);
      X509Certificate shown = raftCertificate(nodes.raftAddress(id));
      if (shown == null) {
        throw new IllegalStateException(
            "node " + id + "'s Raft port " + nodes.raftAddress(id) + " does not speak TLS");
      }
      String subject = shown.getSubjectX500Principal().getName();
      if (!subject.equals("CN=node-" + id) || !issuedBy(shown, ca)) {
        throw new IllegalStateException(
            "node "
                + id
                + "'s Raft port shows a certificate of "
                + subject
                + " issued by "
                + shown.getIssuerX500Principal().getName()
                + ", not node-"
                + id
                + "'s of the run's CA");
      }
    }
  }

  /** A GetCluster of node {@code id} with {@code credentials} must fail: UNAVAILABLE. */
  private static void refused(
      String address, ChannelCredentials credentials, String what, String id) {
    ManagedChannel channel = Grpc.newChannelBuilder(address, credentials).build();
    try {
      LogGrpc.newBlockingStub(channel)
          .withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS)
          .getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build());
      throw new IllegalStateException(
          "node " + id + " answered " + what + " on " + address + ": mutual TLS is not in force");
    } catch (StatusRuntimeException expected) {
      // refused at the handshake (UNAVAILABLE): what mutual TLS does to such a caller
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * The certificate the TLS server at {@code address} shows in a handshake (no client certificate
   * is offered, so a node in mtls ends the connection after it), or null if none came: the port
   * does not speak TLS.
   */
  private static X509Certificate raftCertificate(String address) throws IOException {
    AtomicReference<X509Certificate> shown = new AtomicReference<>();
    SSLContext tls;
    try {
      tls = SSLContext.getInstance("TLS");
      tls.init(null, new TrustManager[] {new Recording(shown)}, new SecureRandom());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
    int colon = address.lastIndexOf(':');
    try (Socket plain = new Socket()) {
      plain.connect(
          new InetSocketAddress(
              address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
          HANDSHAKE_TIMEOUT_MS);
      plain.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
      try (SSLSocket s =
          (SSLSocket)
              tls.getSocketFactory()
                  .createSocket(plain, address.substring(0, colon), plain.getPort(), true)) {
        s.startHandshake();
        s.getInputStream().read(); // the node's refusal of a caller without a certificate
      } catch (IOException refused) {
        // expected: the handshake or the first read fails once the node sees no certificate
      }
    }
    return shown.get();
  }

  private static boolean issuedBy(X509Certificate cert, X509Certificate ca) {
    try {
      cert.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static X509Certificate readCa(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (GeneralSecurityException e) {
      throw new IOException(file + " holds no certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Trusts any server, keeping the certificate it showed: this check only looks at what the port
   * shows, and {@link #issuedBy} judges it.
   */
  private record Recording(AtomicReference<X509Certificate> shown) implements X509TrustManager {
    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      shown.set(chain[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("a client only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
