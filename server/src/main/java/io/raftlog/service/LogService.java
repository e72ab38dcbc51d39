package io.raftlog.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.storage.RocksLogStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * The {@code raftlog.v1.Log} gRPC service of one node: a thin face that hands each call to the part
 * that serves it ({@link WritePath} and {@link ProduceStreamCall} for writes, {@link ReadPath} for
 * reads, {@link ClusterView} for GetCluster). Builds those parts and owns the resources they share
 * (peer channels, open tail streams); the node owns the read executor.
 */
public final class LogService extends LogGrpc.LogImplBase implements AutoCloseable {
  private final ReplicatedLog raft;
  private final PeerChannels peers;
  private final Forwarder forwarder;
  private final WritePath writes;
  private final Tails tails;
  private final ReadPath reads;
  private final ClusterView cluster;

  public LogService(
      NodeConfig config, ReplicatedLog raft, RocksLogStore store, ExecutorService readExecutor) {
    this.raft = raft;
    this.peers = new PeerChannels(config.maxBatchBytes() + (1 << 20));
    this.forwarder = new Forwarder(config, raft, peers);
    this.writes =
        new WritePath(
            raft,
            new ProduceLimits(config.maxRecordBytes(), config.maxBatchBytes()),
            new InflightLimiter(config.maxInflightBytes()),
            forwarder);
    this.tails = new Tails(store, raft, readExecutor);
    this.reads = new ReadPath(raft, store, readExecutor, tails);
    this.cluster = new ClusterView(config, raft, store, peers);
  }

  /** The leader's client address, or null while none is known. */
  public String leaderAddress() {
    Peer leader = raft.leader();
    return leader == null ? null : leader.clientAddress();
  }

  @Override
  public void produce(ProduceRequest request, StreamObserver<ProduceResponse> out) {
    answer(writes.produce(request), out);
  }

  @Override
  public StreamObserver<ProduceRequest> produceStream(StreamObserver<ProduceResponse> out) {
    return new ProduceStreamCall(
        (ServerCallStreamObserver<ProduceResponse>) out, writes, forwarder);
  }

  @Override
  public void consume(ConsumeRequest request, StreamObserver<ConsumeResponse> out) {
    reads.consume(request, out);
  }

  @Override
  public void consumeStream(ConsumeRequest request, StreamObserver<ConsumeResponse> out) {
    reads.consumeStream(request, (ServerCallStreamObserver<ConsumeResponse>) out);
  }

  @Override
  public void getCluster(GetClusterRequest request, StreamObserver<GetClusterResponse> out) {
    answer(cluster.describe(request.getLocalOnly()), out);
  }

  /** Ends open tail streams and closes the channels to other nodes. */
  @Override
  public void close() throws InterruptedException {
    tails.abortAll();
    peers.close();
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
