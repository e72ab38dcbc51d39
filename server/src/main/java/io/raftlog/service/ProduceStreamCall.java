package io.raftlog.service;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.config.Peer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One ProduceStream call, as gRPC delivers it (one callback at a time, on gRPC's threads).
 *
 * <p>The stream keeps, per shard, the route of that shard's first batch (this node as its leader,
 * or one relay stream to the node that leads it, shared by the shards that node leads), so each
 * shard's batches are appended in the order sent; if a route fails, so does the stream, and the
 * client reconnects. At most {@link #STREAM_WINDOW} batches are in flight: the server reads the
 * next one only as one is answered.
 */
final class ProduceStreamCall implements StreamObserver<ProduceRequest> {
  /** Batches a ProduceStream may have in flight before the server stops reading from it. */
  static final int STREAM_WINDOW = 32;

  /** Marks a shard this node leads in {@link #routes}. */
  private static final ForwardedStream LOCAL = null;

  private final WritePath writes;
  private final Forwarder forwarder;
  private final OrderedResponses responses;
  private final Map<Integer, ForwardedStream> routes = new HashMap<>();
  private final Map<String, ForwardedStream> relays = new HashMap<>();

  ProduceStreamCall(
      ServerCallStreamObserver<ProduceResponse> call, WritePath writes, Forwarder forwarder) {
    this.writes = writes;
    this.forwarder = forwarder;
    this.responses = new OrderedResponses(call);
    call.disableAutoRequest();
    call.request(STREAM_WINDOW);
  }

  @Override
  public void onNext(ProduceRequest request) {
    responses.add(route(request));
  }

  private CompletableFuture<ProduceResponse> route(ProduceRequest request) {
    WritePath.Checked batch;
    ForwardedStream relay;
    try {
      batch = writes.check(request);
      if (!routes.containsKey(batch.shard())) {
        Peer leader = forwarder.leaderToForwardTo(batch.shard());
        routes.put(
            batch.shard(),
            leader == null
                ? LOCAL
                : relays.computeIfAbsent(leader.id(), id -> forwarder.openStream(leader)));
      }
      relay = routes.get(batch.shard());
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return relay == LOCAL ? writes.appendAsLeader(batch) : relay.send(request);
  }

  @Override
  public void onError(Throwable t) {
    responses.cancel();
    relays.values().forEach(ForwardedStream::cancel);
  }

  @Override
  public void onCompleted() {
    responses.halfClosed();
    relays.values().forEach(ForwardedStream::halfClose);
  }
}
