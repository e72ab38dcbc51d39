package io.raftlog.service;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.ListStreamsResponse;
import io.raftlog.api.v1.Retention;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.config.Peer;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.storage.LogReader;
import io.raftlog.storage.NamedStream;
import io.raftlog.storage.RetentionPolicy;
import io.raftlog.storage.StoredRecords;
import io.raftlog.storage.StreamMeta;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Every read of records and streams: Consume, ConsumeStream, DescribeStream and ListStreams (and
 * the routing and consistency of {@link ConsumerCalls}' reads). Finds the stream's shard and this
 * node's replica of it, waits for the requested consistency (a Raft read barrier in that shard for
 * LINEARIZABLE; in the meta group too where the answer holds the streams' settings), then reads the
 * replica's {@link LogReader} on the bounded read executor: once, or by following the tail through
 * {@link Tails} (ConsumeStream). Called on gRPC's threads; reads run on the read executor, in the
 * call's gRPC context.
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

  ReadPath(Routes routes, Executor readExecutor, Tails tails) {
    this.routes = routes;
    this.readExecutor = readExecutor;
    this.tails = tails;
  }

  /**
   * One Consume: up to the request's records from its start (offset, or time), in one response,
   * with the stream's next offset as of the same read (one read of the stream's metadata). A start
   * below the stream's first offset follows the request's reset policy ({@link OffsetResets}).
   */
  void consume(ConsumeRequest request, StreamObserver<StoredRecords> out) {
    whenReadable(
        request,
        out,
        (reader, stream) -> {
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
          out.onNext(records); // as stored: StoredRecordsMarshaller writes it
          out.onCompleted();
        });
  }

  /**
   * One ConsumeStream: records from the request's start (offset, or time), then new ones as they
   * are applied; below the first offset, at the start or later, as the request's reset policy says.
   */
  void consumeStream(ConsumeRequest request, ServerCallStreamObserver<StoredRecords> out) {
    // Made now: gRPC takes the call's handlers only during its first invocation.
    TailSubscription tail =
        tails.create(out, maxRecords(request), MAX_STREAM_RESPONSE_BYTES, request.getReset());
    whenReadable(
        request,
        out,
        (reader, stream) -> {
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
        out,
        (reader, stream, shard) -> {
          out.onNext(info(routes, stream, shard, meta(reader, stream)));
          out.onCompleted();
        });
  }

  /**
   * Lists the streams of every shard this node holds, merged in name order: each shard is read
   * after a read barrier in it, so the page sees every create and delete acknowledged before the
   * call.
   */
  void list(ListStreamsRequest request, StreamObserver<ListStreamsResponse> out) {
    int page = RequestChecks.pageSize(request.getPageSize(), DEFAULT_PAGE, MAX_PAGE);
    String prefix = request.getPrefix();
    List<ReplicatedLog> shards = new ArrayList<>(routes.replicas().localShards().values());
    if (shards.size() < routes.replicas().shardCount()) {
      out.onError(
          Status.UNAVAILABLE
              .withDescription(
                  "this node holds only some shards; list streams on a node that holds all")
              .asRuntimeException());
      return;
    }
    List<CompletableFuture<Void>> barriers = new ArrayList<>();
    barriers.add(routes.catalog().readBarrier()); // the streams' settings
    for (ReplicatedLog s : shards) {
      barriers.add(s.readBarrier());
    }
    Runnable read =
        guarded(
            out,
            () -> {
              List<StreamInfo> all = new ArrayList<>();
              for (ReplicatedLog s : shards) {
                for (NamedStream e : s.reader().streams(prefix, request.getPageToken(), page + 1)) {
                  all.add(info(routes, e.name(), s.shard(), e.meta()));
                }
              }
              all.sort(Comparator.comparing(StreamInfo::getName));
              ListStreamsResponse.Builder b = ListStreamsResponse.newBuilder();
              b.addAllStreams(all.subList(0, Math.min(page, all.size())));
              if (all.size() > page) {
                b.setNextPageToken(all.get(page - 1).getName());
              }
              out.onNext(b.build());
              out.onCompleted();
            });
    executeWhen(CompletableFuture.allOf(barriers.toArray(CompletableFuture[]::new)), read, out);
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

  /** What a Consume or ConsumeStream does with its stream, on the read executor. */
  @FunctionalInterface
  private interface ConsumeRead {
    void run(LogReader reader, String stream);
  }

  /** As {@link #whenReady}, for a consume request (an empty stream name means {@code default}). */
  private void whenReadable(ConsumeRequest request, StreamObserver<?> out, ConsumeRead read) {
    whenReady(
        request.getConsistencyValue(),
        () -> {
          RequestChecks.consume(request);
          return Routes.streamName(request.getStream());
        },
        false,
        out,
        (reader, stream, shard) -> read.run(reader, stream));
  }

  /**
   * Routes a read of one stream and runs it on the read executor once the requested consistency
   * holds (with {@code withCatalog}, in the meta group too); errors end the call.
   */
  void whenReady(
      int consistencyValue,
      Supplier<String> name,
      boolean withCatalog,
      StreamObserver<?> out,
      StreamRead read) {
    ReplicatedLog replica;
    String stream;
    int shard;
    Consistency consistency;
    try {
      consistency = RequestChecks.consistency(consistencyValue);
      stream = name.get();
      shard = routes.shardOf(stream);
      LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
      replica = routes.localForRead(shard);
    } catch (RuntimeException e) {
      out.onError(Errors.asStatus(e));
      return;
    }
    CompletableFuture<Void> ready = afterBarrier(replica, consistency, out);
    if (withCatalog && consistency != Consistency.LOCAL) {
      ready = ready.thenCombine(routes.catalog().readBarrier(), (a, b) -> null);
    }
    executeWhen(ready, guarded(out, () -> read.run(replica.reader(), stream, shard)), out);
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
  private static Runnable guarded(StreamObserver<?> out, Runnable read) {
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
  private void executeWhen(CompletableFuture<?> ready, Runnable read, StreamObserver<?> out) {
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
