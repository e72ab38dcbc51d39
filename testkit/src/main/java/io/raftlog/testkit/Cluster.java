package io.raftlog.testkit;

import io.grpc.ManagedChannel;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.NodeInfo;
import java.util.List;

/**
 * What every test cluster offers, wherever its nodes run: the layout (ids, addresses) and plain
 * gRPC clients of each node, with what the nodes say about themselves.
 */
public abstract class Cluster implements AutoCloseable {
  private final ClusterLayout layout;
  private final NodeClients clients;

  Cluster(ClusterLayout layout) {
    this.layout = layout;
    this.clients = new NodeClients(layout::clientAddress, layout.kitCredentials());
  }

  /**
   * From now on the kit's channels use {@code credentials} (e.g. TLS once a cluster moved from
   * plaintext to TLS by rolling restarts); the channels open so far are closed.
   */
  public void kitCredentials(io.grpc.ChannelCredentials credentials) {
    clients.credentials(credentials);
  }

  ClusterLayout layout() {
    return layout;
  }

  NodeClients clients() {
    return clients;
  }

  public List<String> ids() {
    return layout.ids();
  }

  public String clientAddress(String id) {
    return layout.clientAddress(id);
  }

  public List<String> clientAddresses() {
    return layout.clientAddresses();
  }

  /**
   * Node {@code id}'s HTTP address (/metrics, the console) when the cluster's settings gave {@code
   * http.port=}{@link ClusterLayout#HTTP_PORT_FREE}; else null.
   */
  public String httpAddress(String id) {
    return layout.httpAddress(id);
  }

  public ManagedChannel channel(String id) {
    return clients.channel(id);
  }

  public LogGrpc.LogBlockingStub blocking(String id) {
    return clients.blocking(id);
  }

  public LogGrpc.LogStub async(String id) {
    return clients.async(id);
  }

  /** How node {@code id} sees itself, or null if it does not answer within a second. */
  public NodeInfo self(String id) {
    return clients.self(id);
  }

  /** Stops every node this cluster started and closes the channels. */
  @Override
  public abstract void close();
}
