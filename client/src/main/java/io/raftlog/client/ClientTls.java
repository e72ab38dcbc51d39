package io.raftlog.client;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link RaftlogClient} speaks TLS to the nodes: the CA file its nodes' certificates are
 * checked against and, for a node in {@code mtls} mode, the client's own certificate chain and
 * PKCS#8 key (both or neither), all PEM. The node's name is checked against the address dialled
 * (hostname verification is on).
 *
 * <p>The files are read once, when the client is built ({@link #credentials()}); a client made
 * before a certificate is renewed keeps the old one until it is built again. Immutable.
 *
 * @param ca the CA certificates (PEM) that issued the nodes' certificates
 * @param cert the client's certificate chain (PEM), leaf first; null for none
 * @param key the client certificate's private key (PEM, PKCS#8); null for none
 */
public record ClientTls(Path ca, Path cert, Path key) {

  public ClientTls {
    Objects.requireNonNull(ca, "the CA file");
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException(
          "a client certificate needs its key and a key its certificate: give both or neither"
              + " (certificate "
              + cert
              + ", key "
              + key
              + ")");
    }
  }

  /** TLS that checks the nodes' certificates against {@code ca}, with no client certificate. */
  public static ClientTls of(Path ca) {
    return new ClientTls(ca, null, null);
  }

  /** Mutual TLS: the nodes checked against {@code ca}; the client shows {@code cert}. */
  public static ClientTls of(Path ca, Path cert, Path key) {
    return new ClientTls(ca, cert, key);
  }

  /** Whether the client shows a certificate of its own. */
  public boolean mutual() {
    return cert != null;
  }

  /**
   * Reads and checks the files now, as {@link RaftlogClientBuilder#build()} will: for a tool that
   * builds its client later (a logging appender) and must refuse bad files when it starts.
   *
   * @throws IllegalArgumentException naming the file and its problem
   */
  public void check() {
    credentials();
  }

  /**
   * gRPC's TLS credentials from the files, read now and checked first, so that a bad file is
   * refused here naming it rather than deep in a handshake.
   *
   * @throws IllegalArgumentException naming the file and its problem
   */
  ChannelCredentials credentials() {
    PemCheck.Read cas = PemCheck.certificates("CA file", ca);
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
    try {
      b.trustManager(new ByteArrayInputStream(cas.bytes()));
      if (mutual()) {
        PemCheck.Read chain = PemCheck.certificates("client certificate file", cert);
        PemCheck.Read k = PemCheck.privateKey(key, chain, cert);
        b.keyManager(new ByteArrayInputStream(chain.bytes()), new ByteArrayInputStream(k.bytes()));
      }
    } catch (IOException e) {
      // the streams are in memory: no I/O can fail
      throw new IllegalStateException(e);
    }
    return b.build();
  }

  @Override
  public String toString() {
    return mutual()
        ? "mutual TLS (CA " + ca + ", cert " + cert + ", key " + key + ")"
        : "TLS (CA " + ca + ")";
  }
}
