package io.raftlog.replication.rafttls;

import com.alipay.remoting.config.BoltServerOption;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcServer;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SimpleTrustManagerFactory;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.tls.CertificateWatch;
import io.raftlog.tls.PemFiles;
import io.raftlog.tls.TlsSettings;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on one node's Raft port ({@code tls.raft.mode} {@code tls} or {@code mtls}). The listener:
 * Netty's SslHandler put first on each accepted connection ({@link TlsFront}), from a server
 * context of the node's PEM files, asking for (tls) or requiring (mtls) the caller's certificate,
 * and taking only member nodes' ({@link NodeTrustManager}); with {@code tls.plaintext} accepted or
 * used, plaintext connections too. The node's own calls: Bolt's client TLS, JVM-wide, pointed at
 * the node's {@link RaftKeystore} ({@link BoltClientTls}; not with {@code tls.plaintext=used},
 * which dials in plaintext), whose trust is {@link NodeTrustProvider}'s.
 *
 * <p>The node's {@link CertificateWatch} reloads the files: a change makes a new server context and
 * rewrites the keystore, both used by new connections only (open ones keep their session).
 *
 * <p>Made and closed by the node's {@code RaftTransport}; the reload runs on the watch's thread.
 */
public final class RaftPortTls implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftPortTls.class);

  private final TlsSettings settings;
  private final MemberCertificates members;
  private final CertificateWatch watch;
  private final String token;
  private final RaftKeystore keystore;
  private final boolean dials;
  private volatile SslContext server;

  private RaftPortTls(
      NodeConfig config,
      TlsSettings settings,
      Supplier<Set<String>> memberIds,
      CertificateWatch watch) {
    this.settings = settings;
    this.members = new MemberCertificates(settings.principals(), memberIds);
    this.watch = watch;
    this.token = Long.toHexString(new SecureRandom().nextLong() & Long.MAX_VALUE);
    this.keystore = new RaftKeystore(config.get(ConfigKeys.DATA_DIR), token);
    this.dials = !settings.dialsPlaintext();
    NodeTrustProvider.install();
    NodeTrustProvider.register(token, members);
    try {
      keystore.write(watch.current());
      this.server = serverContext(watch.current());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    watch.onChange(this::reload);
    if (dials) {
      BoltClientTls.use(keystore);
    }
    LOG.info(
        "Raft port: {} (plaintext {}), certificate serial {}, keystore {}",
        settings.raftMode(),
        settings.plaintext(),
        watch.current().leaf().getSerialNumber().toString(16),
        keystore.file());
  }

  /**
   * The Raft port's TLS for {@code config}, or null when {@code tls.raft.mode} is off. Throws a
   * {@code TlsFileException} naming the file when the PEM files cannot be used.
   *
   * @param memberIds the ids of the cluster's nodes as this node knows them, null while it knows
   *     none but itself (see {@link MemberCertificates})
   * @param watch the node's watch over its PEM files (its owner closes it), or null when neither
   *     port uses TLS
   */
  public static RaftPortTls start(
      NodeConfig config, Supplier<Set<String>> memberIds, CertificateWatch watch) {
    if (watch == null || !watch.settings().raftTls()) {
      return null;
    }
    return new RaftPortTls(config, watch.settings(), memberIds, watch);
  }

  /** Puts TLS on {@code server}'s accepted connections; call before it starts listening. */
  public void configure(RpcServer server) {
    ((BoltRpcServer) server)
        .getServer()
        .option(
            BoltServerOption.EXTENDED_NETTY_CHANNEL_HANDLER,
            new TlsFront(() -> this.server, settings.acceptsPlaintext()));
  }

  private void reload(PemFiles.Identity identity) {
    keystore.write(identity);
    server = serverContext(identity);
    LOG.info(
        "Raft port: new connections use certificate serial {}",
        identity.leaf().getSerialNumber().toString(16));
  }

  private SslContext serverContext(PemFiles.Identity identity) {
    TrustManager trust = new NodeTrustManager(identity.cas(), members);
    try {
      return SslContextBuilder.forServer(
              identity.key(), identity.chain().toArray(new X509Certificate[0]))
          .trustManager(
              new SimpleTrustManagerFactory() {
                @Override
                protected void engineInit(KeyStore keyStore) {}

                @Override
                protected void engineInit(ManagerFactoryParameters params) {}

                @Override
                protected TrustManager[] engineGetTrustManagers() {
                  return new TrustManager[] {trust};
                }
              })
          .clientAuth(settings.raftMode().equals("mtls") ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot make the Raft port's TLS context: " + e, e);
    }
  }

  @Override
  public void close() {
    if (dials) {
      BoltClientTls.release(keystore);
    }
    NodeTrustProvider.unregister(token);
  }
}
