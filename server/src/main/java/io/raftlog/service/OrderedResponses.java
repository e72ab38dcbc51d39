package io.raftlog.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.raftlog.api.v1.ProduceResponse;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Answers a ProduceStream's batches in the order they were sent, although they may complete in any
 * order (on JRaft's or gRPC's threads), and asks for one more request each time a batch is
 * answered. Owned by one {@link ProduceStreamCall}; every method holds its lock.
 */
final class OrderedResponses {
  private final ServerCallStreamObserver<ProduceResponse> out;
  private final ArrayDeque<CompletableFuture<ProduceResponse>> pending = new ArrayDeque<>();
  private boolean halfClosed;
  private boolean finished;

  OrderedResponses(ServerCallStreamObserver<ProduceResponse> out) {
    this.out = out;
  }

  void add(CompletableFuture<ProduceResponse> f) {
    synchronized (this) {
      pending.addLast(f);
    }
    f.whenComplete((r, e) -> flush());
  }

  synchronized void halfClosed() {
    halfClosed = true;
    flush();
  }

  synchronized void cancel() {
    finished = true;
    pending.clear();
  }

  private synchronized void flush() {
    while (!finished && !pending.isEmpty() && pending.peekFirst().isDone()) {
      CompletableFuture<ProduceResponse> head = pending.pollFirst();
      try {
        out.onNext(head.join());
        out.request(1);
      } catch (RuntimeException e) {
        finished = true;
        out.onError(Errors.asStatus(e));
        return;
      }
    }
    if (!finished && halfClosed && pending.isEmpty()) {
      finished = true;
      out.onCompleted();
    }
  }
}
