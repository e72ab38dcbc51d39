package io.raftlog.service;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.raftlog.wire.CallHeaders;

/**
 * Reads {@code raftlog-leader} on the answer to a call this node forwarded about one shard, and
 * tells {@link Routes} who leads it: a node that holds no replica of the shard learns its leader
 * this way, so its next forwarded call goes there, and its own answers name it. One per forwarded
 * call; runs on gRPC's client threads.
 */
final class LeaderLearner implements ClientInterceptor {
  private final Routes routes;
  private final int shard;

  LeaderLearner(Routes routes, int shard) {
    this.routes = routes;
    this.shard = shard;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        super.start(
            new SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onHeaders(Metadata h) {
                routes.learnLeader(shard, h.get(CallHeaders.LEADER));
                super.onHeaders(h);
              }

              @Override
              public void onClose(Status status, Metadata trailers) {
                // A trailers-only answer (most errors) carries its headers here.
                routes.learnLeader(shard, trailers.get(CallHeaders.LEADER));
                super.onClose(status, trailers);
              }
            },
            headers);
      }
    };
  }
}
