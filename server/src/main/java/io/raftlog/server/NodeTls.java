package io.raftlog.server;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.raftlog.config.NodeConfig;
import io.raftlog.tls.CertificateWatch;
import io.raftlog.tls.TlsSettings;
import io.raftlog.wire.HostPort;
import java.net.InetSocketAddress;

/**
 * A node's TLS, read once at start: its settings, the {@link CertificateWatch} over its PEM files
 * (made when any listener uses TLS; the Raft port's TLS takes reloads from it too) and the gRPC
 * port's {@link ApiTls}. Made first in the node's start, so a bad file stops the node before it
 * opens anything, with {@code PemFiles}' message naming the key, the file and the problem.
 *
 * <p>Owned by {@code RaftlogServer}, closed with it (that stops the watch's thread).
 */
final class NodeTls implements AutoCloseable {
  private final TlsSettings settings;
  private final CertificateWatch watch; // null when neither listener uses TLS
  private final ApiTls api; // null with tls.api.mode=off

  private NodeTls(TlsSettings settings, CertificateWatch watch, ApiTls api) {
    this.settings = settings;
    this.watch = watch;
    this.api = api;
  }

  /** Reads the files; throws {@code TlsFileException} (an IllegalStateException) on a problem. */
  static NodeTls start(NodeConfig config) {
    TlsSettings settings = TlsSettings.of(config);
    if (!settings.apiTls() && !settings.raftTls()) {
      return new NodeTls(settings, null, null);
    }
    CertificateWatch watch = new CertificateWatch(settings);
    try {
      return new NodeTls(settings, watch, settings.apiTls() ? new ApiTls(settings, watch) : null);
    } catch (RuntimeException e) {
      watch.close();
      throw e;
    }
  }

  TlsSettings settings() {
    return settings;
  }

  /** The watch over the node's PEM files, or null when neither listener uses TLS. */
  CertificateWatch watch() {
    return watch;
  }

  /**
   * The credentials of every call this node makes to a node's gRPC port (forwarding, cluster calls,
   * joining, the console): TLS with this node's certificate when the gRPC port uses TLS and {@code
   * tls.plaintext} is not {@code used}; plaintext otherwise.
   */
  ChannelCredentials nodeCalls() {
    return api == null ? InsecureChannelCredentials.create() : api.nodeCalls();
  }

  /**
   * The node's own gRPC server on {@code address}: Netty, with TLS as {@code tls.api.mode} says;
   * while {@code tls.plaintext} is {@code accepted} or {@code used}, plaintext connections too.
   */
  ServerBuilder<?> serverOn(HostPort address) {
    InetSocketAddress at = new InetSocketAddress(address.host(), address.port());
    if (api == null) {
      return NettyServerBuilder.forAddress(at);
    }
    return NettyServerBuilder.forAddress(
        at,
        InternalNettyServerCredentials.create(
            new ApiPortNegotiator(api::serverContext, settings.acceptsPlaintext())));
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
  }
}
