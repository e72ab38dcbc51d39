package io.raftlog.replication.rafttls;

import com.alipay.remoting.rpc.RpcConfigs;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM-wide settings of Bolt's clients, which JRaft makes itself for every group (no per-node
 * hook reaches them): the {@code bolt.client.ssl.*} system properties, read by Bolt for each new
 * connection. They name the keystore of one node of this JVM that dials in TLS, the first of those
 * still running; with none, they are cleared (Bolt dials in plaintext). In a JVM of several nodes
 * (tests), every node's outgoing Raft connections therefore show that one node's certificate and
 * check peers against its member list.
 *
 * <p>Called by {@link RaftPortTls} at a node's start and close; synchronized.
 */
final class BoltClientTls {
  private static final List<RaftKeystore> DIALLING = new ArrayList<>();

  private BoltClientTls() {}

  /** {@code keystore}'s node dials its peers in TLS from now on. */
  static synchronized void use(RaftKeystore keystore) {
    DIALLING.add(keystore);
    point();
  }

  /** {@code keystore}'s node is closing. */
  static synchronized void release(RaftKeystore keystore) {
    DIALLING.remove(keystore);
    point();
  }

  private static void point() {
    if (DIALLING.isEmpty()) {
      System.clearProperty(RpcConfigs.CLI_SSL_ENABLE);
      System.clearProperty(RpcConfigs.CLI_SSL_KEYSTORE);
      System.clearProperty(RpcConfigs.CLI_SSL_KEYSTORE_PASS);
      System.clearProperty(RpcConfigs.CLI_SSL_KEYTSTORE_YPE);
      System.clearProperty(RpcConfigs.CLI_SSL_TMF_ALGO);
      return;
    }
    RaftKeystore ks = DIALLING.get(0);
    System.setProperty(RpcConfigs.CLI_SSL_KEYSTORE, ks.file().toString());
    System.setProperty(RpcConfigs.CLI_SSL_KEYSTORE_PASS, ks.password());
    System.setProperty(RpcConfigs.CLI_SSL_KEYTSTORE_YPE, "PKCS12");
    System.setProperty(RpcConfigs.CLI_SSL_TMF_ALGO, NodeTrustProvider.ALGORITHM);
    System.setProperty(RpcConfigs.CLI_SSL_ENABLE, "true");
  }
}
