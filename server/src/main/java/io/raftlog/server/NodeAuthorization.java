package io.raftlog.server;

import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.auth.AclWatch;
import io.raftlog.auth.CallAuthorizer;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.replication.Replicas;
import io.raftlog.tls.TlsSettings;
import java.nio.file.Path;
import java.util.List;

/**
 * The node's authorization, wired: the {@link CallAuthorizer} in front of the Log and OTLP services
 * (callers, the node-only marks, the ACL) over the ACL file's {@link AclWatch} ({@code acl.file};
 * none without one), and the produce check of OTLP exports. Made once by {@link RaftlogServer},
 * first of all (a bad ACL file stops the node before it opens anything); closed with it (the reload
 * thread).
 */
final class NodeAuthorization implements AutoCloseable {
  private final AclWatch acl; // null without acl.file
  private final CallAuthorizer authorizer;
  private volatile Replicas replicas; // whose members are the nodes; set before any call

  private NodeAuthorization(AclWatch acl, TlsSettings tls) {
    this.acl = acl;
    this.authorizer =
        new CallAuthorizer(
            tls.apiTls(),
            tls.principals(),
            id -> replicas.members().byId(id) != null,
            () -> acl == null ? null : acl.current());
  }

  /** Names the node's replicas, whose members are the nodes of the cluster; returns this. */
  NodeAuthorization membersOf(Replicas replicas) {
    this.replicas = replicas;
    return this;
  }

  /**
   * Reads the ACL file, if any: a file that cannot be used stops the node, its message naming the
   * file, the line and the problem. An ACL needs callers that can be told apart: refused with
   * {@code tls.api.mode=off} (everyone anonymous) and with {@code tls.plaintext=used} (this node's
   * own forwarded calls would reach the others without its certificate).
   */
  static NodeAuthorization start(NodeConfig config) {
    TlsSettings tls = TlsSettings.of(config);
    String file = config.get(ConfigKeys.ACL_FILE);
    AclWatch acl = null;
    if (!file.isBlank()) {
      if (!tls.apiTls() || tls.dialsPlaintext()) {
        throw new IllegalStateException(
            ConfigKeys.ACL_FILE.name()
                + " is set, but "
                + (tls.apiTls()
                    ? ConfigKeys.TLS_PLAINTEXT.name() + " is used"
                    : ConfigKeys.TLS_API_MODE.name() + " is off")
                + ": callers could not be told apart (a node's calls from a client's); turn the"
                + " ACL on once the gRPC port takes TLS and the nodes call each other with it"
                + " (docs/security.md)");
      }
      acl = new AclWatch(Path.of(file), config.get(ConfigKeys.ACL_RELOAD_INTERVAL_MS));
    }
    return new NodeAuthorization(acl, tls);
  }

  /** The interceptor of the Log service (inside LeaderHeaders, so refusals name the node). */
  ServerInterceptor interceptor() {
    return authorizer;
  }

  /** The OTLP services, authorized: their caller known, a client's node marks refused. */
  List<ServerServiceDefinition> guard(List<ServerServiceDefinition> services) {
    return services.stream().map(s -> ServerInterceptors.intercept(s, authorizer)).toList();
  }

  /**
   * PERMISSION_DENIED unless the current caller (anonymous outside a gRPC call: OTLP/HTTP) may
   * produce to every stream of {@code batch}.
   */
  void checkProduce(ProduceRequest batch) {
    authorizer.checkProduce(batch);
  }

  @Override
  public void close() {
    if (acl != null) {
      acl.close();
    }
  }
}
