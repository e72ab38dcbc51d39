package io.raftlog.service;

import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.ConsumerInfo;
import io.raftlog.api.v1.DeleteConsumerRequest;
import io.raftlog.api.v1.DeleteConsumerResponse;
import io.raftlog.api.v1.GetConsumerRequest;
import io.raftlog.api.v1.ListConsumersRequest;
import io.raftlog.api.v1.ListConsumersResponse;
import io.raftlog.replication.AppendOutcome;
import io.raftlog.storage.ConsumerPosition;
import io.raftlog.storage.LogReader;
import io.raftlog.storage.StreamMeta;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The named-consumer calls: CommitOffset and DeleteConsumer are Raft entries in the stream's shard
 * (on its leader, here or forwarded one hop), so a consumer's position survives failover, restarts
 * and snapshot installs; GetConsumer and ListConsumers read this node's replica at the requested
 * consistency (or one hop away when it holds none), as DescribeStream does ({@link ReadPath}).
 * Called on gRPC's threads; writes complete on JRaft's, reads run on the read executor.
 */
final class ConsumerCalls {
  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;

  private final Routes routes;
  private final Forwarder forwarder;
  private final ReadPath reads;

  ConsumerCalls(Routes routes, Forwarder forwarder, ReadPath reads) {
    this.routes = routes;
    this.forwarder = forwarder;
    this.reads = reads;
  }

  /**
   * CommitOffset. Refused while this node's disk is full, as every write that adds state is (a
   * commit is small, but each new name is one more consumer kept).
   */
  CompletableFuture<ConsumerInfo> commit(CommitOffsetRequest request) {
    String stream = Routes.explicitStreamName(request.getStream());
    String consumer = RequestChecks.consumerName(request.getConsumer());
    long offset = RequestChecks.writeOffset("offset", request.getOffset());
    routes.refuseWritesWhileDiskFull();
    int shard = routes.shardOf(stream);
    LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
    return forwarder.toShardLeader(
        shard,
        request,
        (stub, r, out) -> stub.commitOffset(r, out),
        () ->
            routes
                .local(shard)
                .commitOffset(stream, consumer, offset, request.getForce())
                .thenApply(
                    outcome -> {
                      AppendOutcome.Committed c =
                          (AppendOutcome.Committed) StreamAdmin.accepted(outcome);
                      return info(stream, c.position(), c.meta());
                    }));
  }

  /** DeleteConsumer. Let through while the disk is full: it only forgets. */
  CompletableFuture<DeleteConsumerResponse> delete(DeleteConsumerRequest request) {
    String stream = Routes.explicitStreamName(request.getStream());
    String consumer = RequestChecks.consumerName(request.getConsumer());
    int shard = routes.shardOf(stream);
    LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
    return forwarder.toShardLeader(
        shard,
        request,
        (stub, r, out) -> stub.deleteConsumer(r, out),
        () ->
            routes
                .local(shard)
                .deleteConsumer(stream, consumer)
                .thenApply(
                    outcome ->
                        DeleteConsumerResponse.newBuilder()
                            .setCommittedOffset(
                                ((AppendOutcome.ConsumerDeleted) StreamAdmin.accepted(outcome))
                                    .committedOffset())
                            .build()));
  }

  /** GetConsumer: NOT_FOUND for a stream that does not exist, or a consumer it does not have. */
  void get(GetConsumerRequest request, StreamObserver<ConsumerInfo> out) {
    reads.whenReady(
        request.getConsistencyValue(),
        () -> {
          RequestChecks.consumerName(request.getConsumer());
          return Routes.explicitStreamName(request.getStream());
        },
        false,
        request,
        (stub, r, o) -> stub.getConsumer(r, o),
        out,
        (reader, stream, shard) -> {
          StreamMeta meta = ReadPath.meta(reader, stream);
          ConsumerPosition p =
              reader
                  .consumer(stream, request.getConsumer())
                  .orElseThrow(() -> Errors.consumerNotFound(stream, request.getConsumer()));
          out.onNext(info(stream, p, meta));
          out.onCompleted();
        });
  }

  /** ListConsumers: a page in name order; the page token is the last name of the page before. */
  void list(ListConsumersRequest request, StreamObserver<ListConsumersResponse> out) {
    int page = RequestChecks.pageSize(request.getPageSize(), DEFAULT_PAGE, MAX_PAGE);
    reads.whenReady(
        request.getConsistencyValue(),
        () -> Routes.explicitStreamName(request.getStream()),
        false,
        request,
        (stub, r, o) -> stub.listConsumers(r, o),
        out,
        (reader, stream, shard) -> {
          out.onNext(page(reader, stream, request.getPageToken(), page));
          out.onCompleted();
        });
  }

  private static ListConsumersResponse page(
      LogReader reader, String stream, String after, int page) {
    StreamMeta meta = ReadPath.meta(reader, stream);
    List<ConsumerPosition> found = reader.consumers(stream, after, page + 1);
    ListConsumersResponse.Builder b = ListConsumersResponse.newBuilder();
    for (ConsumerPosition p : found.subList(0, Math.min(page, found.size()))) {
      b.addConsumers(info(stream, p, meta));
    }
    if (found.size() > page) {
      b.setNextPageToken(found.get(page - 1).consumer());
    }
    return b.build();
  }

  /** A consumer as the calls answer it, with the lag and offsets of {@code meta}. */
  static ConsumerInfo info(String stream, ConsumerPosition p, StreamMeta meta) {
    return ConsumerInfo.newBuilder()
        .setStream(stream)
        .setConsumer(p.consumer())
        .setCommittedOffset(p.offset())
        .setLag(Math.max(0, meta.nextOffset() - p.offset()))
        .setLastCommitMs(p.commitMs())
        .setFirstOffset(meta.firstOffset())
        .setNextOffset(meta.nextOffset())
        .build();
  }
}
