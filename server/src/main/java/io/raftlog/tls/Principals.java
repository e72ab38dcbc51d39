package io.raftlog.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who a certificate names: the principal rule ({@code tls.principal-from}: the subject's CN, or its
 * first URI or DNS subject alternative name) and the nodes' own principals ({@code
 * tls.node-principal}, {@code {id}} standing for a node id). Immutable; any thread.
 */
public final class Principals {
  /** The principal of a caller that showed no certificate (plaintext, or TLS without mTLS). */
  public static final String ANONYMOUS = "anonymous";

  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  private final String from;
  private final String nodePrefix;
  private final String nodeSuffix;

  /**
   * @param from {@code cn}, {@code san-uri} or {@code san-dns}
   * @param nodePrincipal a node's principal with {@code {id}} for its id, e.g. {@code node-{id}}
   */
  public Principals(String from, String nodePrincipal) {
    this.from = from;
    int at = nodePrincipal.indexOf("{id}");
    if (at < 0) {
      throw new IllegalArgumentException("the node principal must contain {id}: " + nodePrincipal);
    }
    this.nodePrefix = nodePrincipal.substring(0, at);
    this.nodeSuffix = nodePrincipal.substring(at + "{id}".length());
  }

  /** The principal {@code leaf} names under the rule, or null when it has no such name. */
  public String of(X509Certificate leaf) {
    return switch (from) {
      case "cn" -> commonName(leaf);
      case "san-uri" -> firstSan(leaf, SAN_URI);
      case "san-dns" -> firstSan(leaf, SAN_DNS);
      default -> throw new IllegalStateException("unknown principal rule " + from);
    };
  }

  /** The principal node {@code nodeId}'s certificate must carry. */
  public String nodePrincipal(String nodeId) {
    return nodePrefix + nodeId + nodeSuffix;
  }

  /** The node id {@code principal} names, or null when it is not of a node's form. */
  public String nodeId(String principal) {
    if (principal == null
        || principal.length() <= nodePrefix.length() + nodeSuffix.length()
        || !principal.startsWith(nodePrefix)
        || !principal.endsWith(nodeSuffix)) {
      return null;
    }
    return principal.substring(nodePrefix.length(), principal.length() - nodeSuffix.length());
  }

  private static String commonName(X509Certificate leaf) {
    try {
      List<Rdn> rdns = new LdapName(leaf.getSubjectX500Principal().getName()).getRdns();
      for (int i = rdns.size() - 1; i >= 0; i--) { // the most specific CN
        if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdns.get(i).getValue());
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  private static String firstSan(X509Certificate leaf, int kind) {
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names == null) {
        return null;
      }
      for (List<?> n : names) {
        if (n.size() >= 2 && n.get(0) instanceof Integer k && k == kind) {
          return String.valueOf(n.get(1));
        }
      }
      return null;
    } catch (CertificateParsingException e) {
      return null;
    }
  }
}
