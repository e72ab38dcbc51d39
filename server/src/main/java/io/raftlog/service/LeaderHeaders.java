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
import java.util.function.Supplier;

/**
 * Puts the leader's client address on every response ({@code raftlog-leader}), so clients can go
 * straight to the leader, and this node's id ({@code raftlog-node}), so clients can tell a node's
 * answer from a transport failure; tells the service whether a call was forwarded by another node.
 */
public final class LeaderHeaders implements ServerInterceptor {
  static final Context.Key<Boolean> IS_FORWARDED = Context.key("raftlog-forwarded");

  private final String nodeId;
  private final Supplier<String> leaderAddress;

  public LeaderHeaders(String nodeId, Supplier<String> leaderAddress) {
    this.nodeId = nodeId;
    this.leaderAddress = leaderAddress;
  }

  static boolean isForwarded() {
    return Boolean.TRUE.equals(IS_FORWARDED.get());
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ServerCall<Q, R> withLeader =
        new SimpleForwardingServerCall<>(call) {
          private boolean headersSent;

          @Override
          public void sendHeaders(Metadata h) {
            addLeader(h);
            headersSent = true;
            super.sendHeaders(h);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            if (!headersSent) { // a trailers-only response: its trailers are the headers
              addLeader(trailers);
            }
            super.close(status, trailers);
          }
        };
    Context ctx =
        Context.current().withValue(IS_FORWARDED, headers.containsKey(CallHeaders.FORWARDED_BY));
    return Contexts.interceptCall(ctx, withLeader, headers, next);
  }

  private void addLeader(Metadata h) {
    h.discardAll(CallHeaders.NODE);
    h.put(CallHeaders.NODE, nodeId);
    String leader = leaderAddress.get();
    if (leader != null) {
      h.discardAll(CallHeaders.LEADER);
      h.put(CallHeaders.LEADER, leader);
    }
  }
}
