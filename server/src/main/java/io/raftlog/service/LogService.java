package io.raftlog.service;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.ConsumerInfo;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteConsumerRequest;
import io.raftlog.api.v1.DeleteConsumerResponse;
import io.raftlog.api.v1.DeleteStreamRequest;
import io.raftlog.api.v1.DeleteStreamResponse;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.DrainNodeRequest;
import io.raftlog.api.v1.DrainNodeResponse;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.GetConsumerRequest;
import io.raftlog.api.v1.JoinClusterRequest;
import io.raftlog.api.v1.JoinClusterResponse;
import io.raftlog.api.v1.ListConsumersRequest;
import io.raftlog.api.v1.ListConsumersResponse;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.ListStreamsResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.MoveReplicaRequest;
import io.raftlog.api.v1.MoveReplicaResponse;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.RemoveNodeRequest;
import io.raftlog.api.v1.RemoveNodeResponse;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.api.v1.TopStreamsRequest;
import io.raftlog.api.v1.TopStreamsResponse;
import io.raftlog.api.v1.TransferLeaderRequest;
import io.raftlog.api.v1.TransferLeaderResponse;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.api.v1.TruncateResponse;
import io.raftlog.api.v1.UpdateStreamRequest;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.replication.Replicas;
import io.raftlog.storage.StoredRecords;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The {@code raftlog.v1.Log} gRPC service of one node: a thin face that hands each call to the part
 * that serves it ({@link WritePath} and {@link ProduceStreamCall} for writes, {@link ReadPath} for
 * reads (records, describe), {@link StreamListing} for ListStreams, {@link StreamAdmin} for stream
 * creates, deletes, updates and truncations, {@link ConsumerCalls} for named consumers, {@link
 * ClusterView} for GetCluster, {@link BusiestStreams} for TopStreams). Builds those parts and owns
 * the resources they share (peer channels, open tail streams); the node owns the read executor and
 * the {@link Replicas}.
 */
public final class LogService implements LogGrpc.AsyncService, BindableService, AutoCloseable {
  private final Routes routes;
  private final PeerChannels peers;
  private final Forwarder forwarder;
  private final WritePath writes;
  private final Tails tails;
  private final ReadPath reads;
  private final StreamListing listing;
  private final StreamAdmin streams;
  private final ConsumerCalls consumers;
  private final ClusterView cluster;
  private final MembershipCalls membership;
  private final PeerHealth health;
  private final NodeTraffic traffic;
  private final BusiestStreams busiest;
  private final InflightLimiter inflight;

  /**
   * @param nodeCalls the credentials of this node's calls to the other nodes (forwarding, cluster
   *     reads): TLS with the node's own certificate, or plaintext
   */
  public LogService(
      NodeConfig config,
      Replicas replicas,
      ExecutorService readExecutor,
      io.grpc.ChannelCredentials nodeCalls) {
    this.routes = new Routes(config, replicas);
    this.peers = new PeerChannels(config.get(ConfigKeys.MAX_BATCH_BYTES) + (1 << 20), nodeCalls);
    this.traffic =
        new NodeTraffic(
            config.get(ConfigKeys.METRICS_ENABLED), new StreamActivity(System::currentTimeMillis));
    this.forwarder = new Forwarder(config, routes, peers, traffic);
    this.inflight = new InflightLimiter(config.get(ConfigKeys.MAX_INFLIGHT_BYTES));
    this.writes =
        new WritePath(
            routes,
            new ProduceLimits(
                config.get(ConfigKeys.MAX_RECORD_BYTES), config.get(ConfigKeys.MAX_BATCH_BYTES)),
            inflight,
            forwarder,
            traffic);
    this.tails = new Tails(readExecutor, traffic);
    replicas.eachReplica(tails::follow);
    this.reads = new ReadPath(routes, forwarder, readExecutor, tails, traffic);
    this.listing = new StreamListing(routes, forwarder, reads);
    this.streams = new StreamAdmin(routes, forwarder);
    this.consumers = new ConsumerCalls(routes, forwarder, reads);
    this.cluster = new ClusterView(config, replicas, peers, traffic, tails::size);
    this.busiest = new BusiestStreams(config.get(ConfigKeys.NODE_ID), replicas, peers, traffic);
    this.membership = new MembershipCalls(replicas, forwarder, cluster, readExecutor);
    this.health = new PeerHealth(peers, config.get(ConfigKeys.NODE_ID));
  }

  /**
   * Whether another node's health is SERVING (asked over gRPC, blocking up to half a second): the
   * node hands leaderships only to such nodes.
   */
  public java.util.function.Predicate<io.raftlog.config.Peer> peerServing() {
    return health;
  }

  /**
   * Whether a peer has served for {@code ms} at least: the balancer hands leaderships only to such
   * nodes, not to one that has just (re)started.
   */
  public java.util.function.Predicate<io.raftlog.config.Peer> peerServingFor(long ms) {
    return p -> health.servingFor(p, ms);
  }

  /**
   * The meta group leader's client address (null while none is known), for calls about no stream.
   */
  public Supplier<String> metaLeaderAddress() {
    return routes::metaLeaderAddress;
  }

  @Override
  public void produce(ProduceRequest request, StreamObserver<ProduceResponse> out) {
    answer(writes.produce(request), out);
  }

  /**
   * A produce made inside the node (the OTLP collector): exactly what {@link #produce} does for a
   * gRPC call, forwarding to the shard's leader when this node does not lead it. Completes on
   * JRaft's or gRPC's threads; a failure is always the {@link StatusRuntimeException} the gRPC call
   * would have answered.
   */
  public CompletableFuture<ProduceResponse> produceAsync(ProduceRequest request) {
    CompletableFuture<ProduceResponse> out = new CompletableFuture<>();
    writes
        .produce(request)
        .whenComplete(
            (r, failure) -> {
              if (failure != null) {
                out.completeExceptionally(Errors.asStatus(failure));
              } else {
                out.complete(r);
              }
            });
    return out;
  }

  /** The shard {@code stream} lives in (the catalog's slot map as this node knows it). */
  public int shardOf(String stream) {
    return routes.shardOf(stream);
  }

  @Override
  public StreamObserver<ProduceRequest> produceStream(StreamObserver<ProduceResponse> out) {
    return new ProduceStreamCall(
        (ServerCallStreamObserver<ProduceResponse>) out, writes, forwarder);
  }

  /**
   * The service as gRPC serves it: the generated methods, but Consume and ConsumeStream answer the
   * stored bytes as they are ({@link StoredAnswers}), so this class leaves the generated {@code
   * consume} and {@code consumeStream} unimplemented.
   */
  @Override
  public ServerServiceDefinition bindService() {
    return StoredAnswers.bind(
        LogGrpc.bindService(this),
        reads::consume,
        (request, out) ->
            reads.consumeStream(request, (ServerCallStreamObserver<StoredRecords>) out));
  }

  @Override
  public void getCluster(GetClusterRequest request, StreamObserver<GetClusterResponse> out) {
    answer(cluster.describe(request.getLocalOnly()), out);
  }

  @Override
  public void createStream(CreateStreamRequest request, StreamObserver<StreamInfo> out) {
    answer(() -> streams.create(request), out);
  }

  @Override
  public void describeStream(DescribeStreamRequest request, StreamObserver<StreamInfo> out) {
    reads.describe(request, out);
  }

  @Override
  public void listStreams(ListStreamsRequest request, StreamObserver<ListStreamsResponse> out) {
    listing.list(request, out);
  }

  @Override
  public void deleteStream(DeleteStreamRequest request, StreamObserver<DeleteStreamResponse> out) {
    answer(() -> streams.delete(request), out);
  }

  @Override
  public void updateStream(UpdateStreamRequest request, StreamObserver<StreamInfo> out) {
    answer(() -> streams.update(request), out);
  }

  @Override
  public void truncate(TruncateRequest request, StreamObserver<TruncateResponse> out) {
    answer(() -> streams.truncate(request), out);
  }

  @Override
  public void commitOffset(CommitOffsetRequest request, StreamObserver<ConsumerInfo> out) {
    answer(() -> consumers.commit(request), out);
  }

  @Override
  public void getConsumer(GetConsumerRequest request, StreamObserver<ConsumerInfo> out) {
    consumers.get(request, out);
  }

  @Override
  public void listConsumers(
      ListConsumersRequest request, StreamObserver<ListConsumersResponse> out) {
    consumers.list(request, out);
  }

  @Override
  public void deleteConsumer(
      DeleteConsumerRequest request, StreamObserver<DeleteConsumerResponse> out) {
    answer(() -> consumers.delete(request), out);
  }

  /** ConsumeStream calls subscribed to a stream's tail right now. */
  public int openTailStreams() {
    return tails.size();
  }

  /** Produce bytes received and not yet answered ({@code log.max-inflight-bytes} bounds them). */
  public long inflightBytes() {
    return inflight.used();
  }

  /** {@code log.max-inflight-bytes}. */
  public long maxInflightBytes() {
    return inflight.maxBytes();
  }

  /** What this node has served: totals and the busiest streams. */
  public NodeTraffic traffic() {
    return traffic;
  }

  @Override
  public void topStreams(TopStreamsRequest request, StreamObserver<TopStreamsResponse> out) {
    answer(() -> busiest.top(request), out);
  }

  @Override
  public void joinCluster(JoinClusterRequest request, StreamObserver<JoinClusterResponse> out) {
    answer(() -> membership.join(request), out);
  }

  @Override
  public void drainNode(DrainNodeRequest request, StreamObserver<DrainNodeResponse> out) {
    answer(() -> membership.drain(request), out);
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeResponse> out) {
    answer(() -> membership.remove(request), out);
  }

  @Override
  public void moveReplica(MoveReplicaRequest request, StreamObserver<MoveReplicaResponse> out) {
    answer(() -> membership.move(request), out);
  }

  @Override
  public void transferLeader(
      TransferLeaderRequest request, StreamObserver<TransferLeaderResponse> out) {
    answer(() -> membership.transferLeader(request), out);
  }

  /** Ends open tail streams and closes the channels to other nodes. */
  @Override
  public void close() throws InterruptedException {
    tails.abortAll();
    peers.close();
  }

  /** As {@link #answer(CompletableFuture, StreamObserver)}, for a call that may throw at once. */
  private static <T> void answer(Supplier<CompletableFuture<T>> call, StreamObserver<T> out) {
    CompletableFuture<T> result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    answer(result, out);
  }

  /** Completes a unary call with the future's value or its error as a gRPC status. */
  private static <T> void answer(CompletableFuture<T> result, StreamObserver<T> out) {
    result.whenComplete(
        (response, error) -> {
          if (error != null) {
            out.onError(Errors.asStatus(error));
          } else {
            out.onNext(response);
            out.onCompleted();
          }
        });
  }
}
