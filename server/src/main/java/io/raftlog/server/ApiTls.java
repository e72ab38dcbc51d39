package io.raftlog.server;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.raftlog.tls.CertificateWatch;
import io.raftlog.tls.PemFiles;
import io.raftlog.tls.TlsSettings;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * TLS of the gRPC port and of every call a node makes to a node's gRPC port: one pair of grpc-util
 * managers ({@link AdvancedTlsX509KeyManager}: this node's certificate and key; {@link
 * AdvancedTlsX509TrustManager}: the CAs of {@code tls.ca-file}) behind both the server's {@link
 * SslContext} and the node's {@link ChannelCredentials}. The {@link CertificateWatch} hands them
 * each reloaded identity, so new connections (in and out) use the new files without a restart;
 * connections already open keep the session they negotiated.
 *
 * <p>Made once by {@link NodeTls} when {@code tls.api.mode} is not {@code off}; its managers are
 * updated on the watch's thread and read on Netty's event loops (both managers are thread-safe).
 */
final class ApiTls {
  private final AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
  private final AdvancedTlsX509TrustManager trust;
  private final TlsSettings settings;
  private volatile SslContext serverContext;
  private final ChannelCredentials nodeCalls;

  ApiTls(TlsSettings settings, CertificateWatch watch) {
    this.settings = settings;
    try {
      // Host names checked on the node's own calls: the certificate of the node it dials must
      // name the host of that node's client address (a DNS or IP subject alternative name).
      this.trust =
          AdvancedTlsX509TrustManager.newBuilder()
              .setVerification(
                  AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
              .build();
      take(watch.current());
      this.serverContext = newServerContext();
      watch.onChange(
          identity -> {
            take(identity);
            serverContext = newServerContext();
          });
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS on the gRPC port: " + e.getMessage(), e);
    }
    this.nodeCalls =
        settings.dialsPlaintext()
            ? InsecureChannelCredentials.create()
            : TlsChannelCredentials.newBuilder().keyManager(keys).trustManager(trust).build();
  }

  /**
   * The server side of the gRPC port for a connection starting now: the node's certificate, a
   * client certificate asked for (required with {@code mtls}) of the CAs in use.
   */
  SslContext serverContext() {
    return serverContext;
  }

  /**
   * A context over the managers, made again at each reload: it sends the CA names of {@code
   * tls.ca-file} in its certificate request as they were when it was made.
   */
  private SslContext newServerContext() {
    try {
      return GrpcSslContexts.configure(SslContextBuilder.forServer(keys))
          .trustManager(trust)
          .clientAuth(settings.apiMode().equals("mtls") ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS on the gRPC port: " + e.getMessage(), e);
    }
  }

  /**
   * What the node's own calls to a node's gRPC port use: TLS showing this node's certificate, or
   * plaintext while {@code tls.plaintext=used} (the first step of the move to TLS).
   */
  ChannelCredentials nodeCalls() {
    return nodeCalls;
  }

  private void take(PemFiles.Identity identity) {
    keys.updateIdentityCredentials(
        identity.chain().toArray(new X509Certificate[0]), identity.key());
    try {
      trust.updateTrustCredentials(identity.cas().toArray(new X509Certificate[0]));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("the CA certificates cannot be trusted: " + e, e);
    }
  }
}
