package io.raftlog.replication.rafttls;

import io.raftlog.tls.Principals;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which certificates the Raft port takes once their chain is trusted: a node's ({@code
 * tls.node-principal}, e.g. {@code node-3}) whose id is a member of the cluster as this node knows
 * it. Bolt checks no host name and gives a trust manager no peer address, so this is "some member
 * node", not "the member this node dialled". A node that has no member list yet (one that joins,
 * until the catalog reaches it) takes any node certificate of its CAs.
 *
 * <p>Made by {@link RaftPortTls} per node; read on Netty's event-loop threads during handshakes.
 */
public final class MemberCertificates {
  private final Principals principals;
  private final Supplier<Set<String>> members;

  /**
   * @param members the ids of the cluster's nodes as this node knows them, or null while it knows
   *     none but itself (a joining node); read at each handshake
   */
  public MemberCertificates(Principals principals, Supplier<Set<String>> members) {
    this.principals = principals;
    this.members = members;
  }

  /** Throws, naming the principal and why, unless {@code leaf} is a member node's certificate. */
  void check(X509Certificate leaf) throws CertificateException {
    String principal = principals.of(leaf);
    String id = principals.nodeId(principal);
    if (id == null) {
      throw new CertificateException(
          "the Raft port takes only the cluster's nodes: the certificate of "
              + leaf.getSubjectX500Principal().getName()
              + " names principal '"
              + principal
              + "', not a node's ("
              + principals.nodePrincipal("{id}")
              + ")");
    }
    Set<String> known = members.get();
    if (known != null && !known.contains(id)) {
      throw new CertificateException(
          "the Raft port takes only the cluster's nodes: '"
              + principal
              + "' names node "
              + id
              + ", which is not a member "
              + known);
    }
  }
}
