package io.raftlog.service;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.config.Peer;
import java.util.concurrent.CompletableFuture;

/**
 * One ProduceStream call, as gRPC delivers it (one callback at a time, on gRPC's threads).
 *
 * <p>A stream keeps the route of its first batch (this node as leader, or one relay stream to the
 * leader), so its batches are appended in the order sent; if the route fails, so does the stream,
 * and the client reconnects. At most {@link #STREAM_WINDOW} batches are in flight: the server reads
 * the next one only as one is answered.
 */
final class ProduceStreamCall implements StreamObserver<ProduceRequest> {
  /** Batches a ProduceStream may have in flight before the server stops reading from it. */
  static final int STREAM_WINDOW = 32;

  private final WritePath writes;
  private final Forwarder forwarder;
  private final OrderedResponses responses;
  private boolean local;
  private ForwardedStream forwarded;

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
    try {
      writes.check(request);
      if (!local && forwarded == null) {
        Peer leader = forwarder.leaderToForwardTo();
        if (leader == null) {
          local = true;
        } else {
          forwarded = forwarder.openStream(leader);
        }
      }
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return local ? writes.appendAsLeader(request) : forwarded.send(request);
  }

  @Override
  public void onError(Throwable t) {
    responses.cancel();
    if (forwarded != null) {
      forwarded.cancel();
    }
  }

  @Override
  public void onCompleted() {
    responses.halfClosed();
    if (forwarded != null) {
      forwarded.halfClose();
    }
  }
}
