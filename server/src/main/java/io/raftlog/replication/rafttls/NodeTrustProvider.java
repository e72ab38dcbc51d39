package io.raftlog.replication.rafttls;

import java.security.InvalidAlgorithmParameterException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.Provider;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactorySpi;

/**
 * A JCA provider of the trust manager factory algorithm {@value #ALGORITHM}, which Bolt's clients
 * are told to use ({@code bolt.client.ssl.tmf.algorithm}): Bolt builds each outgoing connection's
 * trust from a keystore file and a JVM-wide algorithm name only, so this factory finds the node in
 * the keystore (the alias of its key entry carries a token registered here) and answers that node's
 * {@link NodeTrustManager}: PKIX on the keystore's CA entries, then {@link MemberCertificates}. A
 * keystore naming no running node gets a trust manager that refuses every peer.
 *
 * <p>Installed once per JVM; the registry is written by {@link RaftPortTls} (start, close) and read
 * on Bolt's connecting threads.
 */
final class NodeTrustProvider extends Provider {
  private static final long serialVersionUID = 1L;

  /** The trust manager factory algorithm. */
  static final String ALGORITHM = "RaftlogNodes";

  /** The start of the alias of a node's key entry in its Raft keystore; the token follows. */
  static final String KEY_ALIAS_PREFIX = "raftlog-node-";

  private static final String NAME = "raftlog-raft-port";
  private static final Map<String, MemberCertificates> NODES = new ConcurrentHashMap<>();

  private NodeTrustProvider() {
    super(NAME, "1.0", "raftlog: only the cluster's nodes on the Raft port");
    putService(
        new Service(this, "TrustManagerFactory", ALGORITHM, Factory.class.getName(), null, null) {
          @Override
          public Object newInstance(Object constructorParameter) {
            return new Factory();
          }
        });
  }

  /** Installs the provider in this JVM, once. */
  static synchronized void install() {
    if (Security.getProvider(NAME) == null) {
      Security.addProvider(new NodeTrustProvider());
    }
  }

  static void register(String token, MemberCertificates node) {
    NODES.put(token, node);
  }

  static void unregister(String token) {
    NODES.remove(token);
  }

  /** The factory Bolt's client makes and initialises with the keystore it just read. */
  static final class Factory extends TrustManagerFactorySpi {
    private TrustManager[] managers;

    @Override
    protected void engineInit(KeyStore ks) throws KeyStoreException {
      List<X509Certificate> cas = new ArrayList<>();
      MemberCertificates node = null;
      for (String alias : Collections.list(ks.aliases())) {
        if (ks.isCertificateEntry(alias)) {
          Certificate c = ks.getCertificate(alias);
          if (c instanceof X509Certificate x) {
            cas.add(x);
          }
        } else if (alias.startsWith(KEY_ALIAS_PREFIX)) {
          node = NODES.get(alias.substring(KEY_ALIAS_PREFIX.length()));
        }
      }
      if (node == null) {
        throw new KeyStoreException(
            "the Raft keystore names no running raftlog node of this JVM (was it closed?)");
      }
      managers = new TrustManager[] {new NodeTrustManager(cas, node)};
    }

    @Override
    protected void engineInit(ManagerFactoryParameters spec)
        throws InvalidAlgorithmParameterException {
      throw new InvalidAlgorithmParameterException(
          ALGORITHM + " is initialised with a raftlog Raft keystore only");
    }

    @Override
    protected TrustManager[] engineGetTrustManagers() {
      return managers.clone();
    }
  }
}
