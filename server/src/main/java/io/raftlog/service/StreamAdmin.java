package io.raftlog.service;

import io.grpc.Context;
import io.grpc.Status;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteStreamRequest;
import io.raftlog.api.v1.DeleteStreamResponse;
import io.raftlog.api.v1.Retention;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.api.v1.TruncateResponse;
import io.raftlog.api.v1.UpdateStreamRequest;
import io.raftlog.config.Peer;
import io.raftlog.replication.AppendOutcome;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * CreateStream, DeleteStream, UpdateStream and Truncate (DescribeStream and ListStreams are reads:
 * {@link ReadPath}). A stream's existence and offsets live in its shard (a create or delete is a
 * Raft entry there); its settings, if it has any, live in the catalog. A call that touches both is
 * served by the meta group's leader, which does the catalog part and relays the shard part to the
 * shard's leader (marked {@code raftlog-catalog-done}). Called on gRPC's threads; the shard parts
 * complete on JRaft's.
 */
final class StreamAdmin {
  private final Routes routes;
  private final Forwarder forwarder;

  StreamAdmin(Routes routes, Forwarder forwarder) {
    this.routes = routes;
    this.forwarder = forwarder;
  }

  CompletableFuture<StreamInfo> create(CreateStreamRequest request) {
    String stream = Routes.explicitStreamName(request.getStream());
    StreamSettingsRule.check(request.getSettingsMap());
    RetentionRule.check(request.getRetention());
    routes.refuseWritesWhileDiskFull();
    int shard = routes.shardOf(stream);
    LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
    // The shard decides whether the stream exists; only a stream this call created gets settings.
    return route(
        shard,
        request.getSettingsCount() > 0,
        request,
        CreateStreamRequest.newBuilder()
            .setStream(stream)
            .setRetention(request.getRetention())
            .build(),
        (stub, r, out) -> stub.createStream(r, out),
        () -> createInShard(shard, stream, request.getRetention()),
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
      return leader == null ? inShard.get() : forwarder.unary(shard, leader, request, method);
    }
    Peer metaLeader = forwarder.metaLeaderToForwardTo();
    if (metaLeader != null) {
      return forwarder.unary(metaLeader, request, method);
    }
    Peer shardLeader = forwarder.shardLeaderAfterCatalog(shard);
    CompletableFuture<R> shardDone =
        shardLeader == null
            ? inShard.get()
            : forwarder.unaryAfterCatalog(shard, shardLeader, shardPart, method);
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

  private CompletableFuture<StreamInfo> createInShard(
      int shard, String stream, Retention retention) {
    return routes
        .local(shard)
        .create(stream, retention)
        .thenApply(
            outcome -> {
              if (outcome instanceof AppendOutcome.Rejected r) {
                throw Errors.rejected(r);
              }
              return ReadPath.info(routes, stream, shard, ((AppendOutcome.Created) outcome).meta());
            });
  }

  CompletableFuture<DeleteStreamResponse> delete(DeleteStreamRequest request) {
    String stream = Routes.explicitStreamName(request.getStream());
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
    return routes
        .local(shard)
        .delete(stream)
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

  /**
   * UpdateStream: a Raft entry in the stream's shard (retention lives there, not in the catalog),
   * answered with the stream as it is after it. Let through while the disk is full: it adds no
   * records, and a tighter retention is a way to free space.
   */
  CompletableFuture<StreamInfo> update(UpdateStreamRequest request) {
    String stream = Routes.explicitStreamName(request.getStream());
    RetentionRule.check(request.getRetention());
    int shard = routes.shardOf(stream);
    LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
    return forwarder.toShardLeader(
        shard,
        request,
        (stub, r, out) -> stub.updateStream(r, out),
        () ->
            routes
                .local(shard)
                .update(stream, request.getRetention())
                .thenApply(
                    outcome ->
                        ReadPath.info(
                            routes,
                            stream,
                            shard,
                            ((AppendOutcome.Updated) accepted(outcome)).meta())));
  }

  /**
   * Truncate: a Raft entry in the stream's shard, so every replica drops the same records. Let
   * through while the disk is full, as DeleteStream is: it only frees space.
   */
  CompletableFuture<TruncateResponse> truncate(TruncateRequest request) {
    String stream = Routes.explicitStreamName(request.getStream());
    long before = RequestChecks.writeOffset("before_offset", request.getBeforeOffset());
    int shard = routes.shardOf(stream);
    LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
    return forwarder.toShardLeader(
        shard,
        request,
        (stub, r, out) -> stub.truncate(r, out),
        () ->
            routes
                .local(shard)
                .truncate(stream, before)
                .thenApply(
                    outcome -> {
                      AppendOutcome.Truncated t = (AppendOutcome.Truncated) accepted(outcome);
                      return TruncateResponse.newBuilder()
                          .setFirstOffset(t.firstOffset())
                          .setNextOffset(t.nextOffset())
                          .build();
                    }));
  }

  /** {@code outcome}, unless the shard refused the entry: then its status. */
  static AppendOutcome accepted(AppendOutcome outcome) {
    if (outcome instanceof AppendOutcome.Rejected r) {
      throw Errors.rejected(r);
    }
    return outcome;
  }
}
