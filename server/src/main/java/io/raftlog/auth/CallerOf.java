package io.raftlog.auth;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.raftlog.tls.Principals;
import io.raftlog.wire.CallHeaders;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The {@link Caller} of a call, from its connection and headers:
 *
 * <ul>
 *   <li>the connection's principal: its TLS client certificate's ({@code tls.principal-from}), or
 *       {@link Principals#ANONYMOUS} without one (plaintext, or TLS without a client certificate);
 *   <li>a connection whose principal is a member node's ({@code tls.node-principal}) makes the
 *       node's own call, or with {@link CallHeaders#CALLER} the named client's;
 *   <li>from any other TLS connection, a call carrying {@code raftlog-caller} or a node's marks
 *       ({@code raftlog-forwarded-by}, {@code raftlog-catalog-done}, {@code raftlog-list-shards})
 *       is refused: a client cannot forge a forwarded call;
 *   <li>with {@code tls.api.mode=off}, and on the plaintext connections a TLS port takes while
 *       {@code tls.plaintext} is not {@code refused}, no one can be told from a node: the marks are
 *       honoured as before TLS, {@code raftlog-caller} never, and the caller is anonymous.
 * </ul>
 *
 * Stateless but for the principal kept on each TLS session; any thread.
 */
final class CallerOf {
  private static final String SESSION_PRINCIPAL = "raftlog.principal";

  private final boolean apiTls;
  private final Principals principals;
  private final Predicate<String> isMember;

  CallerOf(boolean apiTls, Principals principals, Predicate<String> isMember) {
    this.apiTls = apiTls;
    this.principals = principals;
    this.isMember = isMember;
  }

  Caller of(ServerCall<?, ?> call, Metadata headers) throws NotANode {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (!apiTls || session == null) {
      return new Caller(Principals.ANONYMOUS, false);
    }
    String principal = principal(session);
    String id = principals.nodeId(principal);
    if (id != null && isMember.test(id)) {
      String client = headers.get(CallHeaders.CALLER);
      return client != null ? new Caller(client, false) : new Caller(principal, true);
    }
    String mark = nodeMark(headers);
    if (mark != null) {
      throw new NotANode(
          "only nodes of this cluster may set "
              + mark
              + " (forwarded calls and the nodes' own marks); "
              + principal
              + " is not a node");
    }
    return new Caller(principal, false);
  }

  private static String nodeMark(Metadata headers) {
    for (Metadata.Key<String> k :
        java.util.List.of(
            CallHeaders.CALLER,
            CallHeaders.FORWARDED_BY,
            CallHeaders.CATALOG_DONE,
            CallHeaders.LIST_SHARDS)) {
      if (headers.containsKey(k)) {
        return k.name();
      }
    }
    return null;
  }

  /** The session's client principal, worked out once per TLS session and kept on it. */
  private String principal(SSLSession session) {
    Object kept = session.getValue(SESSION_PRINCIPAL);
    if (kept instanceof String p) {
      return p;
    }
    String p = leafPrincipal(session);
    try {
      session.putValue(SESSION_PRINCIPAL, p);
    } catch (RuntimeException e) {
      // a session that keeps no values: worked out again next call
    }
    return p;
  }

  private String leafPrincipal(SSLSession session) {
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return Principals.ANONYMOUS;
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return Principals.ANONYMOUS;
    }
    String p = principals.of(leaf);
    // A certificate without the name the rule reads names no one: it gets anonymous's rights.
    return p == null || p.isEmpty() ? Principals.ANONYMOUS : p;
  }
}
