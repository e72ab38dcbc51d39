package io.raftlog.service;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.wire.StreamNames;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;

/**
 * The consume path: finds the stream's shard and this node's replica of it, waits for the requested
 * consistency (a Raft read barrier in that shard for LINEARIZABLE), checks that the stream exists
 * and the offset is not past its end, then reads from the replica's store on the bounded read
 * executor, once (Consume) or by following the tail through {@link Tails} (ConsumeStream). Called
 * on gRPC's threads; reads run on the read executor.
 */
final class ReadPath {

  /** Responses stay under gRPC's default 4 MiB inbound limit of clients such as grpcurl. */
  static final int MAX_RESPONSE_BYTES = (4 << 20) - (64 << 10);

  /**
   * A stream's responses are smaller: several stay on their way at once, and a reader's buffers
   * stay under the garbage collector's large-object size.
   */
  static final int MAX_STREAM_RESPONSE_BYTES = 1 << 20;

  private final Routes routes;
  private final Executor readExecutor;
  private final Tails tails;

  ReadPath(Routes routes, Executor readExecutor, Tails tails) {
    this.routes = routes;
    this.readExecutor = readExecutor;
    this.tails = tails;
  }

  /** One Consume: up to the request's records from its offset, in one response. */
  void consume(ConsumeRequest request, StreamObserver<ConsumeResponse> out) {
    whenReadable(
        request,
        out,
        (store, stream) ->
            next -> {
              var records =
                  store.read(stream, request.getOffset(), maxRecords(request), MAX_RESPONSE_BYTES);
              out.onNext(records.toResponse(Math.max(next, store.nextOffset(stream))));
              out.onCompleted();
            });
  }

  /** One ConsumeStream: records from the request's offset, then new ones as they are applied. */
  void consumeStream(ConsumeRequest request, ServerCallStreamObserver<ConsumeResponse> out) {
    // Made now: gRPC takes the call's handlers only during its first invocation.
    TailSubscription tail = tails.create(out, maxRecords(request), MAX_STREAM_RESPONSE_BYTES);
    whenReadable(
        request,
        out,
        (store, stream) -> next -> tails.start(tail, store, stream, request.getOffset()));
  }

  /** What to do with the stream once it can be read. */
  @FunctionalInterface
  private interface Read {
    LongConsumer on(RocksLogStore store, String stream);
  }

  /**
   * Runs the read, given the stream's next offset, on the read executor once the requested
   * consistency holds, the stream exists and the offset is not past its end; its errors end the
   * call.
   */
  private void whenReadable(ConsumeRequest request, StreamObserver<?> out, Read read) {
    ReplicatedLog replica;
    String stream;
    Consistency consistency;
    try {
      consistency = RequestChecks.consistency(request.getConsistencyValue());
      stream = Routes.streamName(request.getStream());
      int shard = routes.shardOf(stream);
      LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
      replica = routes.localForRead(shard);
    } catch (RuntimeException e) {
      out.onError(Errors.asStatus(e));
      return;
    }
    RocksLogStore store = replica.store();
    Runnable guarded =
        Context.current()
            .wrap(
                () -> {
                  try {
                    long next = nextOffsetOf(store, stream);
                    // Offsets are unsigned on the wire: 2^63 and above arrive negative.
                    if (Long.compareUnsigned(request.getOffset(), next) > 0) {
                      throw Errors.pastEnd(request.getOffset(), next);
                    }
                    read.on(store, stream).accept(next);
                  } catch (RuntimeException e) {
                    out.onError(Errors.asStatus(e));
                  }
                });
    afterBarrier(replica, consistency, out).thenRun(() -> execute(guarded, out));
  }

  /** The stream's next offset; NOT_FOUND if it does not exist ({@code default} always does). */
  static long nextOffsetOf(RocksLogStore store, String stream) {
    var meta = store.stream(stream);
    if (meta.isEmpty() && !stream.equals(StreamNames.DEFAULT)) {
      throw Errors.notFound(stream);
    }
    return meta.map(m -> m.nextOffset()).orElse(0L);
  }

  /**
   * Completes when a read at {@code consistency} may start on {@code replica}; on failure, ends the
   * call and never completes.
   */
  static CompletableFuture<Void> afterBarrier(
      ReplicatedLog replica, Consistency consistency, StreamObserver<?> out) {
    if (consistency == Consistency.LOCAL) {
      return CompletableFuture.completedFuture(null);
    }
    if (consistency != Consistency.LINEARIZABLE) {
      out.onError(Errors.invalid("unknown consistency " + consistency));
      return new CompletableFuture<>();
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    // Completes on a JRaft thread: the read itself goes to the read executor.
    replica
        .readBarrier()
        .whenComplete(
            (ok, failure) -> {
              if (failure == null) {
                ready.complete(null);
              } else {
                out.onError(Errors.asStatus(failure));
              }
            });
    return ready;
  }

  private void execute(Runnable read, StreamObserver<?> out) {
    try {
      readExecutor.execute(read);
    } catch (RejectedExecutionException full) {
      out.onError(Errors.readsQueued());
    }
  }

  private static int maxRecords(ConsumeRequest request) {
    return RequestChecks.maxRecords(request.getMaxRecords());
  }
}
