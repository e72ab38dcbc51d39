package io.raftlog.server;

import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the calls a node's gRPC server has open (every service, every kind): made when a call's
 * stream is created, ended when it closes however it closes (answered, failed, cancelled, its
 * connection lost). Owned by {@link RaftlogServer}, which reports it for tests and diagnostics;
 * updated on gRPC's transport threads.
 */
final class OpenCalls extends ServerStreamTracer.Factory {
  private final AtomicInteger open = new AtomicInteger();

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    open.incrementAndGet();
    return new ServerStreamTracer() {
      @Override
      public void streamClosed(Status status) {
        open.decrementAndGet();
      }
    };
  }

  int count() {
    return open.get();
  }
}
