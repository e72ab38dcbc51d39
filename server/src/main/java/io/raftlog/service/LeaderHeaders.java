package io.raftlog.service;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.raftlog.wire.CallHeaders;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Puts on every response the client address of the leader of the group that served the call ({@code
 * raftlog-leader}: the stream's shard, or the meta group for calls about the whole cluster), so
 * clients can go straight to that leader, and this node's id ({@code raftlog-node}), so clients can
 * tell a node's answer from a transport failure; tells the service whether a call was forwarded by
 * another node.
 *
 * <p>The service names the group with {@link #servedBy} on the call's thread, as soon as it knows
 * the stream; the address is read when the headers go out, so it is as fresh as it can be.
 */
public final class LeaderHeaders implements ServerInterceptor {
  /** The id a forwarding node put in {@code raftlog-forwarded-by}, or null. */
  static final Context.Key<String> FORWARDED_BY = Context.key("raftlog-forwarded");

  static final Context.Key<Boolean> CATALOG_DONE = Context.key("raftlog-catalog-done");

  /** The shards another node asked a ListStreams for ({@code raftlog-list-shards}), or null. */
  static final Context.Key<String> LIST_SHARDS = Context.key("raftlog-list-shards");

  private static final Context.Key<AtomicReference<Supplier<String>>> LEADER =
      Context.key("raftlog-leader-of-call");

  private final String nodeId;
  private final Supplier<String> defaultLeader;

  /** {@code defaultLeader}: the leader named on calls that concern no stream (the meta group's). */
  public LeaderHeaders(String nodeId, Supplier<String> defaultLeader) {
    this.nodeId = nodeId;
    this.defaultLeader = defaultLeader;
  }

  static boolean isForwarded() {
    return FORWARDED_BY.get() != null;
  }

  /** The id of the node that forwarded this call (as the call says), or null. */
  static String forwardedBy() {
    return FORWARDED_BY.get();
  }

  /** Whether the meta leader relayed this call after doing its catalog part. */
  static boolean isCatalogDone() {
    return Boolean.TRUE.equals(CATALOG_DONE.get());
  }

  /** Names the group leader this call's headers report; call on the call's own thread. */
  static void servedBy(Supplier<String> leaderAddress) {
    AtomicReference<Supplier<String>> ref = LEADER.get();
    if (ref != null) {
      ref.set(leaderAddress);
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    AtomicReference<Supplier<String>> leader = new AtomicReference<>(defaultLeader);
    ServerCall<Q, R> withLeader =
        new SimpleForwardingServerCall<>(call) {
          private boolean headersSent;

          @Override
          public void sendHeaders(Metadata h) {
            addLeader(h, leader.get());
            headersSent = true;
            super.sendHeaders(h);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            if (!headersSent) { // a trailers-only response: its trailers are the headers
              addLeader(trailers, leader.get());
            }
            super.close(status, trailers);
          }
        };
    Context ctx =
        Context.current()
            .withValue(FORWARDED_BY, headers.get(CallHeaders.FORWARDED_BY))
            .withValue(CATALOG_DONE, headers.containsKey(CallHeaders.CATALOG_DONE))
            .withValue(LIST_SHARDS, headers.get(CallHeaders.LIST_SHARDS))
            .withValue(LEADER, leader);
    return Contexts.interceptCall(ctx, withLeader, headers, next);
  }

  private void addLeader(Metadata h, Supplier<String> leaderAddress) {
    h.discardAll(CallHeaders.NODE);
    h.put(CallHeaders.NODE, nodeId);
    String leader = leaderAddress.get();
    if (leader != null) {
      h.discardAll(CallHeaders.LEADER);
      h.put(CallHeaders.LEADER, leader);
    }
  }
}
