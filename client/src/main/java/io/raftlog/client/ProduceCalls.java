package io.raftlog.client;

import io.grpc.stub.ClientResponseObserver;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;

/**
 * The two calls a producer's {@link Lane} makes to a node: {@link NodeChannels} makes them over
 * gRPC; {@code LaneTest} answers them itself, with no cluster. Both start the call at once and hand
 * its request side to {@code answers}' {@code beforeStart} before returning.
 */
interface ProduceCalls {
  /** Opens a {@code ProduceStream} to {@code node} for {@code shard}. */
  void openStream(String node, int shard, Answers answers);

  /** Sends one unary {@code Produce} to {@code node} for {@code shard}, with a deadline. */
  void produce(String node, int shard, ProduceRequest request, long timeoutNanos, Answers answers);

  /** What a call of a lane reports to: its answers and its end. */
  interface Answers extends ClientResponseObserver<ProduceRequest, ProduceResponse> {}
}
