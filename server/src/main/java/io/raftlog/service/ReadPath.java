package io.raftlog.service;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.Retention;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.config.Peer;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.storage.LogReader;
import io.raftlog.storage.RetentionPolicy;
import io.raftlog.storage.StoredRecords;
import io.raftlog.storage.StreamMeta;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Every read of records and streams: Consume, ConsumeStream and DescribeStream (and the routing and
 * consistency of {@link ConsumerCalls}' reads and {@link StreamListing}'s). Finds the stream's
 * shard and this node's replica of it (or, holding none, hands the call to {@link ReadForwarder}),
 * waits for the requested consistency (a Raft read barrier in that shard for LINEARIZABLE; in the
 * meta group too where the answer holds the streams' settings), then reads the replica's {@link
 * LogReader} on the bounded read executor: once, or by following the tail through {@link Tails}
 * (ConsumeStream). Called on gRPC's threads; reads run on the read executor, in the call's gRPC
 * context.
 */
final class ReadPath {

  /** Responses stay under gRPC's default 4 MiB inbound limit of clients such as grpcurl. */
  static final int MAX_RESPONSE_BYTES = (4 << 20) - (64 << 10);

  /**
   * A stream's responses are smaller: several stay on their way at once, and a reader's buffers
   * stay under the garbage collector's large-object size.
   */
  static final int MAX_STREAM_RESPONSE_BYTES = 1 << 20;

  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;

  private final Routes routes;
  private final Executor readExecutor;
  private final Tails tails;
  private final ReadForwarder elsewhere;

  private final NodeTraffic traffic;

  ReadPath(
      Routes routes, Forwarder forwarder, Executor readExecutor, Tails tails, NodeTraffic traffic) {
    this.routes = routes;
    this.traffic = traffic;
    this.readExecutor = readExecutor;
    this.tails = tails;
    this.elsewhere = new ReadForwarder(routes, forwarder);
  }

  /**
   * One Consume: up to the request's records from its start (offset, or time), in one response,
   * with the stream's next offset as of the same read (one read of the stream's metadata). A start
   * below the stream's first offset follows the request's reset policy ({@link OffsetResets}).
   */
  void consume(ConsumeRequest request, StreamObserver<StoredRecords> out) {
    Route route = routeConsume(request, out, shard -> elsewhere.consume(shard, request, out));
    if (route == null) {
      return;
    }
    whenReady(
        route,
        false,
        out,
        (reader, stream, shard) -> {
          long offset = start(reader, stream, request);
          int max = maxRecords(request);
          StoredRecords records = read(reader, stream, offset, max);
          checkNotPastEnd(offset, records.nextOffset());
          // Records below the first offset are never answered, whatever the store still holds.
          while (OffsetResets.below(offset, records.firstOffset())) {
            offset =
                OffsetResets.resume(
                    request.getReset(),
                    stream,
                    offset,
                    records.firstOffset(),
                    records.nextOffset());
            records = read(reader, stream, offset, max);
          }
          traffic.read(stream, records);
          out.onNext(records); // as stored: StoredRecordsMarshaller writes it
          out.onCompleted();
        });
  }

  /**
   * One ConsumeStream: records from the request's start (offset, or time), then new ones as they
   * are applied; below the first offset, at the start or later, as the request's reset policy says.
   */
  void consumeStream(ConsumeRequest request, ServerCallStreamObserver<StoredRecords> out) {
    Route route = routeConsume(request, out, shard -> elsewhere.consumeStream(shard, request, out));
    if (route == null) {
      return;
    }
    // Made now: gRPC takes the call's handlers only during its first invocation.
    TailSubscription tail =
        tails.create(out, maxRecords(request), MAX_STREAM_RESPONSE_BYTES, request.getReset());
    whenReady(
        route,
        false,
        out,
        (reader, stream, shard) -> {
          long offset = start(reader, stream, request);
          StreamMeta meta = meta(reader, stream);
          checkNotPastEnd(offset, meta.nextOffset());
          if (OffsetResets.below(offset, meta.firstOffset())) {
            offset =
                OffsetResets.resume(
                    request.getReset(), stream, offset, meta.firstOffset(), meta.nextOffset());
          }
          tails.start(tail, reader, stream, offset);
        });
  }

  /**
   * Where a consume starts: the request's offset, or the first offset at or after its {@code
   * from_timestamp_ms} (the stream's time index: one seek and one chunk walked).
   */
  private static long start(LogReader reader, String stream, ConsumeRequest request) {
    if (!request.hasFromTimestampMs()) {
      return request.getOffset();
    }
    return reader
        .offsetAtTime(stream, request.getFromTimestampMs())
        .orElseThrow(() -> Errors.notFound(stream));
  }

  private static StoredRecords read(LogReader reader, String stream, long offset, int max) {
    return reader
        .read(stream, offset, max, MAX_RESPONSE_BYTES)
        .orElseThrow(() -> Errors.notFound(stream));
  }

  /**
   * One DescribeStream. The stream's settings come from this node's catalog replica: a linearizable
   * describe waits for it too, or a follower could miss settings a CreateStream just stored.
   */
  void describe(DescribeStreamRequest request, StreamObserver<StreamInfo> out) {
    whenReady(
        request.getConsistencyValue(),
        () -> Routes.explicitStreamName(request.getStream()),
        true,
        request,
        (stub, r, o) -> stub.describeStream(r, o),
        out,
        (reader, stream, shard) -> {
          out.onNext(info(routes, stream, shard, meta(reader, stream)));
          out.onCompleted();
        });
  }

  /** A stream as DescribeStream, ListStreams and CreateStream answer it. */
  static StreamInfo info(Routes routes, String stream, int shard, StreamMeta meta) {
    Peer leader = routes.leaderOf(shard);
    return StreamInfo.newBuilder()
        .setName(stream)
        .setShard(shard)
        .setLeaderId(leader == null ? "" : leader.id())
        .addAllReplicas(routes.replicasOf(shard).stream().map(Peer::id).toList())
        .setFirstOffset(meta.firstOffset())
        .setNextOffset(meta.nextOffset())
        .setCreatedMs(meta.createdMs())
        .setRetention(retention(meta.retention()))
        .setStoredBytes(meta.storedBytes())
        .putAllSettings(routes.catalog().settings(stream))
        .build();
  }

  /** A stream's retention as the API shows it: every field present. */
  static Retention retention(RetentionPolicy p) {
    return Retention.newBuilder()
        .setMaxAgeMs(p.maxAgeMs())
        .setMaxBytes(p.maxBytes())
        .setMaxRecords(p.maxRecords())
        .setHoldForConsumers(p.holdForConsumers())
        .build();
  }

  /** A read of one stream, on the read executor; what it throws ends the call. */
  @FunctionalInterface
  interface StreamRead {
    void run(LogReader reader, String stream, int shard);
  }

  /** A read of one stream routed to this node's replica of its shard. */
  private record Route(ReplicatedLog replica, String stream, int shard, Consistency consistency) {}

  /** As {@link #route}, for a consume request (an empty stream name means {@code default}). */
  private Route routeConsume(ConsumeRequest request, StreamObserver<?> out, IntConsumer forward) {
    return route(
        request.getConsistencyValue(),
        () -> {
          RequestChecks.consume(request);
          return Routes.streamName(request.getStream());
        },
        out,
        forward);
  }

  /**
   * Finds the stream's shard and this node's replica of it; null once the call is handed to {@code
   * forward} (this node holds no replica of the shard: {@link ReadForwarder}) or ended with an
   * error. Runs on the call's thread.
   */
  private Route route(
      int consistencyValue, Supplier<String> name, StreamObserver<?> out, IntConsumer forward) {
    try {
      Consistency consistency = RequestChecks.consistency(consistencyValue);
      String stream = name.get();
      int shard = routes.shardOf(stream);
      LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
      ReplicatedLog replica = routes.local(shard);
      if (replica == null) {
        forward.accept(shard);
        return null;
      }
      return new Route(replica, stream, shard, consistency);
    } catch (RuntimeException e) {
      out.onError(Errors.asStatus(e));
      return null;
    }
  }

  /**
   * Routes a unary read of one stream and runs it on the read executor once the requested
   * consistency holds (with {@code withCatalog}, in the meta group too); errors end the call. A
   * node without a replica of the stream's shard sends {@code request} there with {@code method}.
   */
  <Q, R> void whenReady(
      int consistencyValue,
      Supplier<String> name,
      boolean withCatalog,
      Q request,
      Forwarder.UnaryMethod<Q, R> method,
      StreamObserver<R> out,
      StreamRead read) {
    Route route =
        route(consistencyValue, name, out, shard -> elsewhere.unary(shard, request, method, out));
    if (route != null) {
      whenReady(route, withCatalog, out, read);
    }
  }

  private void whenReady(Route route, boolean withCatalog, StreamObserver<?> out, StreamRead read) {
    CompletableFuture<Void> ready = afterBarrier(route.replica(), route.consistency(), out);
    if (withCatalog && route.consistency() != Consistency.LOCAL) {
      ready = ready.thenCombine(routes.catalog().readBarrier(), (a, b) -> null);
    }
    executeWhen(
        ready,
        guarded(out, () -> read.run(route.replica().reader(), route.stream(), route.shard())),
        out);
  }

  /** The stream's metadata; NOT_FOUND if it does not exist. */
  static StreamMeta meta(LogReader reader, String stream) {
    return reader.stream(stream).orElseThrow(() -> Errors.notFound(stream));
  }

  /** OUT_OF_RANGE if {@code offset} (unsigned on the wire) is past {@code nextOffset}. */
  private static void checkNotPastEnd(long offset, long nextOffset) {
    if (Long.compareUnsigned(offset, nextOffset) > 0) {
      throw Errors.pastEnd(offset, nextOffset);
    }
  }

  /**
   * Completes when a read at {@code consistency} may start on {@code replica}; on failure, ends the
   * call and never completes.
   */
  private static CompletableFuture<Void> afterBarrier(
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

  /** {@code read} in the call's context, its errors ending the call. */
  static Runnable guarded(StreamObserver<?> out, Runnable read) {
    return Context.current()
        .wrap(
            () -> {
              try {
                read.run();
              } catch (RuntimeException e) {
                out.onError(Errors.asStatus(e));
              }
            });
  }

  /**
   * Hands {@code read} to the read executor once {@code ready} completes (on whatever thread
   * completes it, often JRaft's); ends the call if {@code ready} fails or the executor is full.
   */
  void executeWhen(CompletableFuture<?> ready, Runnable read, StreamObserver<?> out) {
    ready.whenComplete(
        (ok, failure) -> {
          if (failure != null) {
            out.onError(Errors.asStatus(failure));
            return;
          }
          try {
            readExecutor.execute(read);
          } catch (RejectedExecutionException full) {
            out.onError(Errors.readsQueued());
          }
        });
  }

  private static int maxRecords(ConsumeRequest request) {
    return RequestChecks.maxRecords(request.getMaxRecords());
  }
}
