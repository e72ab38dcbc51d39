package io.raftlog.wire;

import io.grpc.Metadata;

/**
 * The gRPC metadata keys of raftlog's wire contract, read and written by nodes and clients alike.
 */
public final class CallHeaders {
  private CallHeaders() {}

  /**
   * On every answer: the leader's client address (absent while none is known), so a client can send
   * its writes straight there.
   */
  public static final Metadata.Key<String> LEADER =
      Metadata.Key.of("raftlog-leader", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * On every answer: the id of the node that answered, so a client tells a node's own answer from
   * gRPC reporting that the node could not be reached.
   */
  public static final Metadata.Key<String> NODE =
      Metadata.Key.of("raftlog-node", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Set by a node on a call it forwards to the leader (its own id), so a call is never forwarded
   * twice: a node that receives it and does not lead answers {@code UNAVAILABLE} instead.
   */
  public static final Metadata.Key<String> FORWARDED_BY =
      Metadata.Key.of("raftlog-forwarded-by", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Set by the meta group's leader on the shard part of a stream call it relays after doing the
   * catalog part itself (a stream's settings), so the shard's leader does only the shard part.
   */
  public static final Metadata.Key<String> CATALOG_DONE =
      Metadata.Key.of("raftlog-catalog-done", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Set by a node on a ListStreams it sends to another node for the shards it holds no replica of
   * (their ids, comma separated): the other node lists those shards only, and asks no one else.
   */
  public static final Metadata.Key<String> LIST_SHARDS =
      Metadata.Key.of("raftlog-list-shards", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Set by a node on every call it makes on a client's behalf (a forwarded call, a relayed read, a
   * listing asked of another node): the principal of the client that made the original call, so the
   * node that serves it authorizes the client, not the forwarding node. A node honours it only on a
   * connection whose certificate is a node's ({@code tls.node-principal}); from anyone else the
   * call is refused.
   */
  public static final Metadata.Key<String> CALLER =
      Metadata.Key.of("raftlog-caller", Metadata.ASCII_STRING_MARSHALLER);
}
