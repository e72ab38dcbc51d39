package io.raftlog.service;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.wire.WireLimits;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;

/**
 * The consume path: waits for the requested consistency (a Raft read barrier for LINEARIZABLE),
 * checks the offset against the end of the log, then reads from the local store on the bounded read
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

  private final ReplicatedLog raft;
  private final RocksLogStore store;
  private final Executor readExecutor;
  private final Tails tails;

  ReadPath(ReplicatedLog raft, RocksLogStore store, Executor readExecutor, Tails tails) {
    this.raft = raft;
    this.store = store;
    this.readExecutor = readExecutor;
    this.tails = tails;
  }

  /** One Consume: up to the request's records from its offset, in one response. */
  void consume(ConsumeRequest request, StreamObserver<ConsumeResponse> out) {
    whenReadable(
        request,
        out,
        next -> {
          var records =
              store.read(
                  io.raftlog.wire.StreamNames.DEFAULT,
                  request.getOffset(),
                  maxRecords(request),
                  MAX_RESPONSE_BYTES);
          out.onNext(
              records.toResponse(
                  Math.max(next, store.nextOffset(io.raftlog.wire.StreamNames.DEFAULT))));
          out.onCompleted();
        });
  }

  /** One ConsumeStream: records from the request's offset, then new ones as they are applied. */
  void consumeStream(ConsumeRequest request, ServerCallStreamObserver<ConsumeResponse> out) {
    TailSubscription tail = tails.create(out, maxRecords(request), MAX_STREAM_RESPONSE_BYTES);
    whenReadable(request, out, next -> tails.start(tail, request.getOffset()));
  }

  /**
   * Runs {@code read}, given the log's next offset, on the read executor once the requested
   * consistency holds and the offset is not past the end of the log; its errors end the call.
   */
  private void whenReadable(ConsumeRequest request, StreamObserver<?> out, LongConsumer read) {
    Runnable guarded =
        Context.current()
            .wrap(
                () -> {
                  try {
                    long next = store.nextOffset(io.raftlog.wire.StreamNames.DEFAULT);
                    if (request.getOffset() > next) {
                      throw Errors.pastEnd(request.getOffset(), next);
                    }
                    read.accept(next);
                  } catch (RuntimeException e) {
                    out.onError(Errors.asStatus(e));
                  }
                });
    Consistency consistency = request.getConsistency();
    if (consistency == Consistency.LOCAL) {
      execute(guarded, out);
      return;
    }
    if (consistency != Consistency.LINEARIZABLE) {
      out.onError(Errors.invalid("unknown consistency " + consistency));
      return;
    }
    // Completes on a JRaft thread: the read itself goes to the read executor.
    raft.readBarrier()
        .whenComplete(
            (ok, failure) -> {
              if (failure == null) {
                execute(guarded, out);
              } else {
                out.onError(Errors.asStatus(failure));
              }
            });
  }

  private void execute(Runnable read, StreamObserver<?> out) {
    try {
      readExecutor.execute(read);
    } catch (RejectedExecutionException full) {
      out.onError(Errors.readsQueued());
    }
  }

  private static int maxRecords(ConsumeRequest request) {
    int n = request.getMaxRecords();
    return n == 0 ? WireLimits.DEFAULT_MAX_RECORDS : Math.min(n, WireLimits.MAX_RECORDS);
  }
}
