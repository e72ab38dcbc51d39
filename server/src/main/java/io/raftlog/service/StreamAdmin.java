package io.raftlog.service;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteStreamRequest;
import io.raftlog.api.v1.DeleteStreamResponse;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.ListStreamsResponse;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.CreateStream;
import io.raftlog.internal.v1.DeleteStream;
import io.raftlog.internal.v1.ShardEntry;
import io.raftlog.replication.AppendOutcome;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.storage.NamedStream;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StreamMeta;
import io.raftlog.wire.StreamNames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * CreateStream, DescribeStream, ListStreams and DeleteStream. A stream's existence and offsets live
 * in its shard (a create or delete is a Raft entry there); its settings, if it has any, live in the
 * catalog. A call that touches both is served by the meta group's leader, which does the catalog
 * part and relays the shard part to the shard's leader (marked {@code raftlog-catalog-done}).
 * Called on gRPC's threads; reads run on the read executor.
 */
final class StreamAdmin {
  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;

  private final Routes routes;
  private final Forwarder forwarder;
  private final Executor readExecutor;

  StreamAdmin(Routes routes, Forwarder forwarder, Executor readExecutor) {
    this.routes = routes;
    this.forwarder = forwarder;
    this.readExecutor = readExecutor;
  }

  CompletableFuture<StreamInfo> create(CreateStreamRequest request) {
    String stream = explicitName(request.getStream());
    StreamSettingsRule.check(request.getSettingsMap());
    routes.refuseWritesWhileDiskFull();
    int shard = routes.shardOf(stream);
    LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
    // The shard decides whether the stream exists; only a stream this call created gets settings.
    return route(
        shard,
        request.getSettingsCount() > 0,
        request,
        CreateStreamRequest.newBuilder().setStream(stream).build(),
        (stub, r, out) -> stub.createStream(r, out),
        () -> createInShard(shard, stream),
        info ->
            routes
                .catalog()
                .putSettings(stream, request.getSettingsMap())
                .handle(
                    (ok, failure) -> {
                      if (failure != null) {
                        throw Status.UNAVAILABLE
                            .withDescription(
                                "stream '"
                                    + stream
                                    + "' was created, but its settings were not stored ("
                                    + failure.getMessage()
                                    + "); delete it and create it again")
                            .asRuntimeException();
                      }
                      return info.toBuilder().putAllSettings(request.getSettingsMap()).build();
                    }));
  }

  /**
   * Runs a stream call that may have a catalog part. Without one (or when the meta group's leader
   * already did it), on the shard's leader: here, or forwarded. With one, on the meta group's
   * leader (forwarded there if need be), which runs the shard part, here or relayed as {@code
   * shardPart} to the shard's leader, then {@code catalogPart}.
   */
  private <Q, R> CompletableFuture<R> route(
      int shard,
      boolean hasCatalogPart,
      Q request,
      Q shardPart,
      Forwarder.UnaryMethod<Q, R> method,
      Supplier<CompletableFuture<R>> inShard,
      Function<R, CompletableFuture<R>> catalogPart) {
    if (!hasCatalogPart || catalogDoneByMetaLeader()) {
      Peer leader = forwarder.leaderToForwardTo(shard);
      return leader == null ? inShard.get() : forwarder.unary(leader, request, method);
    }
    Peer metaLeader = forwarder.metaLeaderToForwardTo();
    if (metaLeader != null) {
      return forwarder.unary(metaLeader, request, method);
    }
    Peer shardLeader = forwarder.shardLeaderAfterCatalog(shard);
    CompletableFuture<R> shardDone =
        shardLeader == null
            ? inShard.get()
            : forwarder.unaryAfterCatalog(shardLeader, shardPart, method);
    return shardDone.thenCompose(catalogPart);
  }

  /**
   * Whether the meta group's leader relayed this call after doing its catalog part. The mark counts
   * only from the node this node knows as the meta leader: an outside client that sets it would
   * otherwise delete a stream's records and leave its settings to a later stream of the same name.
   * (Without authentication between nodes this stops mistakes and casual forgery, not a client that
   * also forges the leader's id.)
   */
  private boolean catalogDoneByMetaLeader() {
    if (!LeaderHeaders.isCatalogDone()) {
      return false;
    }
    Peer metaLeader = routes.catalog().leader();
    return metaLeader != null && metaLeader.id().equals(LeaderHeaders.forwardedBy());
  }

  private CompletableFuture<StreamInfo> createInShard(int shard, String stream) {
    ShardEntry entry =
        ShardEntry.newBuilder()
            .setCreate(
                CreateStream.newBuilder()
                    .setStream(stream)
                    .setCreatedMs(System.currentTimeMillis()))
            .build();
    return routes
        .local(shard)
        .append(entry)
        .thenApply(
            outcome -> {
              if (outcome instanceof AppendOutcome.Rejected r) {
                throw Errors.rejected(r);
              }
              return info(stream, shard, ((AppendOutcome.Created) outcome).meta());
            });
  }

  CompletableFuture<DeleteStreamResponse> delete(DeleteStreamRequest request) {
    String stream = explicitName(request.getStream());
    int shard = routes.shardOf(stream);
    LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
    // Whether the stream has settings is read from this node's catalog replica once it has caught
    // up (a follower could miss settings just stored, and leave them behind). Settings go after the
    // records: a failure in between leaves settings of a deleted stream, which a retry of
    // DeleteStream removes.
    Context call = Context.current();
    return routes
        .catalog()
        .readBarrier()
        .thenCompose(
            caughtUp -> {
              // Completed on a JRaft thread: route in the call's context (forwarded marks,
              // deadline).
              Context previous = call.attach();
              try {
                return route(
                    shard,
                    !routes.catalog().settings(stream).isEmpty(),
                    request,
                    request,
                    (stub, r, out) -> stub.deleteStream(r, out),
                    () -> deleteInShard(shard, stream),
                    r -> routes.catalog().deleteSettings(stream).thenApply(ok -> r));
              } finally {
                call.detach(previous);
              }
            });
  }

  private CompletableFuture<DeleteStreamResponse> deleteInShard(int shard, String stream) {
    ShardEntry entry =
        ShardEntry.newBuilder().setDelete(DeleteStream.newBuilder().setStream(stream)).build();
    return routes
        .local(shard)
        .append(entry)
        .thenApply(
            outcome -> {
              if (outcome instanceof AppendOutcome.Rejected r) {
                throw Errors.rejected(r);
              }
              return DeleteStreamResponse.newBuilder()
                  .setNextOffset(((AppendOutcome.Deleted) outcome).nextOffset())
                  .build();
            });
  }

  void describe(DescribeStreamRequest request, StreamObserver<StreamInfo> out) {
    String stream;
    ReplicatedLog replica;
    int shard;
    Consistency consistency;
    try {
      consistency = RequestChecks.consistency(request.getConsistencyValue());
      stream = explicitName(request.getStream());
      shard = routes.shardOf(stream);
      LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
      replica = routes.localForRead(shard);
    } catch (RuntimeException e) {
      out.onError(Errors.asStatus(e));
      return;
    }
    // The stream's settings come from this node's catalog replica: a linearizable describe waits
    // for it too, or a follower could miss settings a CreateStream just stored.
    CompletableFuture<Void> catalogReady =
        consistency == Consistency.LOCAL
            ? CompletableFuture.completedFuture(null)
            : routes.catalog().readBarrier();
    ReadPath.afterBarrier(replica, consistency, out)
        .thenCombine(catalogReady, (a, b) -> (Void) null)
        .whenComplete(
            (ready, failure) -> {
              if (failure != null) {
                out.onError(Errors.asStatus(failure));
                return;
              }
              execute(
                  out,
                  () -> {
                    RocksLogStore store = replica.store();
                    StreamMeta meta =
                        store.stream(stream)
                            .orElseGet(
                                () -> {
                                  if (stream.equals(StreamNames.DEFAULT)) {
                                    return StreamMeta.NEVER_WRITTEN;
                                  }
                                  throw Errors.notFound(stream);
                                });
                    out.onNext(info(stream, shard, meta));
                    out.onCompleted();
                  });
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
      CompletableFuture<Void> b = new CompletableFuture<>();
      s.readBarrier()
          .whenComplete(
              (ok, e) -> {
                if (e == null) {
                  b.complete(null);
                } else {
                  b.completeExceptionally(e);
                }
              });
      barriers.add(b);
    }
    CompletableFuture.allOf(barriers.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                out.onError(Errors.asStatus(failure));
                return;
              }
              execute(
                  out,
                  () -> {
                    List<StreamInfo> all = new ArrayList<>();
                    for (ReplicatedLog s : shards) {
                      for (NamedStream e :
                          s.store().streams(prefix, request.getPageToken(), page + 1)) {
                        all.add(info(e.name(), s.shard(), e.meta()));
                      }
                    }
                    all.sort(java.util.Comparator.comparing(StreamInfo::getName));
                    ListStreamsResponse.Builder b = ListStreamsResponse.newBuilder();
                    b.addAllStreams(all.subList(0, Math.min(page, all.size())));
                    if (all.size() > page) {
                      b.setNextPageToken(all.get(page - 1).getName());
                    }
                    out.onNext(b.build());
                    out.onCompleted();
                  });
            });
  }

  private StreamInfo info(String stream, int shard, StreamMeta meta) {
    Peer leader = routes.leaderOf(shard);
    return StreamInfo.newBuilder()
        .setName(stream)
        .setShard(shard)
        .setLeaderId(leader == null ? "" : leader.id())
        .addAllReplicas(routes.replicasOf(shard).stream().map(Peer::id).toList())
        .setFirstOffset(meta.firstOffset())
        .setNextOffset(meta.nextOffset())
        .setCreatedMs(meta.createdMs())
        .putAllSettings(routes.catalog().settings(stream))
        .build();
  }

  private void execute(StreamObserver<?> out, Runnable read) {
    try {
      readExecutor.execute(
          io.grpc.Context.current()
              .wrap(
                  () -> {
                    try {
                      read.run();
                    } catch (RuntimeException e) {
                      out.onError(Errors.asStatus(e));
                    }
                  }));
    } catch (RejectedExecutionException full) {
      out.onError(Errors.readsQueued());
    }
  }

  /** A name a call must give (no `default` stand-in for admin calls). */
  private static String explicitName(String name) {
    String problem = StreamNames.problem(name);
    if (problem != null) {
      throw Errors.invalid(problem);
    }
    return name;
  }
}
