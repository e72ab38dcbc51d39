package io.raftlog.metrics;

import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.raftlog.api.v1.LogGrpc;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the ConsumeStream calls open on this node's gRPC server, served here or relayed to a
 * replica: one more when the call's stream is created, one less when it closes however it closes.
 * Other calls get a shared tracer that does nothing. Added to the server by {@code RaftlogServer}
 * with the metrics; runs on gRPC's transport threads.
 */
final class ConsumeStreamsOpen extends ServerStreamTracer.Factory {
  static final String METHOD = LogGrpc.SERVICE_NAME + "/ConsumeStream";
  private static final ServerStreamTracer NONE = new ServerStreamTracer() {};

  private final AtomicInteger open = new AtomicInteger();

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    if (!METHOD.equals(fullMethodName)) {
      return NONE;
    }
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
