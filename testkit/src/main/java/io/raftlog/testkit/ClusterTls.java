package io.raftlog.testkit;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * TLS for a test cluster, from a test's {@link TestPki}: each node's {@code tls.*} keys (its own
 * {@code node-N.pem}/{@code .key}, the CA's {@code ca.pem}, {@code tls.api.mode}) and the
 * credentials of the kit's own channels (a client certificate of principal {@link #KIT_PRINCIPAL},
 * so the kit can probe an mTLS cluster). The kit's channels check the node certificates' host
 * names, as a client would: the nodes listen on 127.0.0.1, which {@code TestPki}'s certificates
 * name, or on their network namespace's address, which their certificates then name too.
 *
 * <p>Thread-safe (the PKI, which is not, is used under this object's lock).
 */
public final class ClusterTls {
  /** The principal of the test kit's own client certificate. */
  public static final String KIT_PRINCIPAL = "raftlog-testkit";

  private static final String LOOPBACK = "127.0.0.1";

  private final TestPki pki;
  private final String apiMode;
  private final Map<String, TestPki.Issued> nodes = new HashMap<>();
  private TestPki.Issued kit;

  private ClusterTls(TestPki pki, String apiMode) {
    this.pki = pki;
    this.apiMode = apiMode;
  }

  /**
   * TLS from {@code pki} with the gRPC port in {@code apiMode} ({@code off}, {@code tls} or {@code
   * mtls}). The Raft port's mode and {@code tls.plaintext} are ordinary settings of the cluster
   * (e.g. {@code tls.raft.mode=mtls}), which win over these keys.
   */
  public static ClusterTls of(TestPki pki, String apiMode) {
    return new ClusterTls(pki, apiMode);
  }

  public TestPki pki() {
    return pki;
  }

  public String apiMode() {
    return apiMode;
  }

  /** Node {@code id}'s {@code tls.*} keys, its certificate issued the first time it is asked. */
  public synchronized Map<String, String> settings(String id) {
    return settings(id, LOOPBACK);
  }

  /**
   * As {@link #settings(String)} for a node that listens on {@code host}: its certificate also
   * names that host where it is not loopback (a node in a network namespace of its own, which its
   * callers dial at the namespace's address).
   */
  public synchronized Map<String, String> settings(String id, String host) {
    TestPki.Issued node =
        nodes.computeIfAbsent(
            id,
            k ->
                host.equals(LOOPBACK) || host.equals("localhost")
                    ? pki.node(k)
                    : pki.node(k, host));
    return Map.of(
        "tls.api.mode", apiMode,
        "tls.cert-file", node.cert().toString(),
        "tls.key-file", node.key().toString(),
        "tls.ca-file", pki.caFile().toString());
  }

  /** Node {@code id}'s certificate and key files. */
  public synchronized TestPki.Issued node(String id) {
    return nodes.computeIfAbsent(id, pki::node);
  }

  /** The test kit's own client certificate ({@link #KIT_PRINCIPAL}). */
  public synchronized TestPki.Issued kitCertificate() {
    if (kit == null) {
      kit = pki.client(KIT_PRINCIPAL);
    }
    return kit;
  }

  /**
   * The credentials of the kit's channels: TLS with the kit's client certificate, trusting the
   * PKI's CA; plaintext when the gRPC port's mode is {@code off}.
   */
  public ChannelCredentials kitCredentials() {
    return apiMode.equals("off")
        ? InsecureChannelCredentials.create()
        : credentials(kitCertificate());
  }

  /** TLS showing {@code client}'s certificate (null: none), trusting the PKI's CA. */
  public ChannelCredentials credentials(TestPki.Issued client) {
    try {
      TlsChannelCredentials.Builder b =
          TlsChannelCredentials.newBuilder().trustManager(pki.caFile().toFile());
      if (client != null) {
        b.keyManager(client.cert().toFile(), client.key().toFile());
      }
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
