package io.raftlog.service;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A follower's relay of one client ProduceStream to the leader, over one stream of its own, so the
 * batches reach the leader, and the log, in the order the client sent them. The leader answers in
 * order too, so each answer completes the oldest pending batch.
 */
final class ForwardedStream implements ClientResponseObserver<ProduceRequest, ProduceResponse> {
  private final ArrayDeque<CompletableFuture<ProduceResponse>> pending = new ArrayDeque<>();
  private final String leaderAddress;
  private final StreamObserver<ProduceRequest> toLeader;
  private ClientCallStreamObserver<ProduceRequest> call;
  private RuntimeException broken;

  ForwardedStream(LogGrpc.LogStub leader, String leaderAddress) {
    this.leaderAddress = leaderAddress;
    this.toLeader = leader.produceStream(this);
  }

  synchronized CompletableFuture<ProduceResponse> send(ProduceRequest request) {
    if (broken != null) {
      return CompletableFuture.failedFuture(broken);
    }
    CompletableFuture<ProduceResponse> f = new CompletableFuture<>();
    pending.addLast(f);
    toLeader.onNext(request);
    return f;
  }

  synchronized void halfClose() {
    if (broken == null) {
      toLeader.onCompleted();
    }
  }

  synchronized void cancel() {
    if (call != null) {
      call.cancel("the client cancelled its stream", null);
    }
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<ProduceRequest> call) {
    this.call = call;
  }

  @Override
  public synchronized void onNext(ProduceResponse response) {
    CompletableFuture<ProduceResponse> f = pending.pollFirst();
    if (f != null) {
      f.complete(response);
    }
  }

  @Override
  public synchronized void onError(Throwable t) {
    broken = Errors.relayed(t, leaderAddress);
    pending.forEach(f -> f.completeExceptionally(broken));
    pending.clear();
  }

  @Override
  public synchronized void onCompleted() {
    onError(
        Status.UNAVAILABLE
            .withDescription("the leader " + leaderAddress + " ended the stream early; retry")
            .asRuntimeException());
  }
}
