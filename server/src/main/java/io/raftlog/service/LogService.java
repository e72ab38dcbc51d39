package io.raftlog.service;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.AppendBatch;
import io.raftlog.replication.AppendCallback;
import io.raftlog.replication.AppendOutcome;
import io.raftlog.replication.LogStateMachine;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.storage.RocksLogStore;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The {@code raftlog.v1.Log} gRPC service of one node: checks requests, sends writes to the leader
 * (itself, or one hop away), serves reads from the local store, and follows the tail for streams.
 */
public final class LogService extends LogGrpc.LogImplBase implements AutoCloseable {
  static final int DEFAULT_MAX_RECORDS = 100;
  static final int MAX_RECORDS = 10_000;

  /** Responses stay under gRPC's default 4 MiB inbound limit of clients such as grpcurl. */
  static final int MAX_RESPONSE_BYTES = (4 << 20) - (64 << 10);

  /**
   * A stream's responses are smaller: several stay on their way at once, and a reader's buffers
   * stay under the garbage collector's large-object size.
   */
  static final int MAX_STREAM_RESPONSE_BYTES = 1 << 20;

  /** Batches a ProduceStream may have in flight before the server stops reading from it. */
  static final int STREAM_WINDOW = 32;

  private static final long FORWARD_DEFAULT_DEADLINE_MS = 30_000;

  private final NodeConfig config;
  private final ReplicatedLog raft;
  private final RocksLogStore store;
  private final LogStateMachine fsm;
  private final ProduceLimits limits;
  private final InflightLimiter inflight;
  private final PeerChannels peers;
  private final ClusterView cluster;
  private final ExecutorService readExecutor;
  private final Set<TailSubscription> tails = ConcurrentHashMap.newKeySet();

  public LogService(
      NodeConfig config, ReplicatedLog raft, RocksLogStore store, ExecutorService readExecutor) {
    this.config = config;
    this.raft = raft;
    this.store = store;
    this.fsm = raft.stateMachine();
    this.limits = new ProduceLimits(config.maxRecordBytes(), config.maxBatchBytes());
    this.inflight = new InflightLimiter(config.maxInflightBytes());
    this.peers = new PeerChannels(config.maxBatchBytes() + (1 << 20));
    this.cluster = new ClusterView(config, raft, store, peers);
    this.readExecutor = readExecutor;
  }

  /** The leader's client address, or null while none is known. */
  public String leaderAddress() {
    Peer leader = raft.leader();
    return leader == null ? null : leader.clientAddress();
  }

  // ---- produce

  @Override
  public void produce(ProduceRequest request, StreamObserver<ProduceResponse> out) {
    answer(produce(request), out);
  }

  @Override
  public StreamObserver<ProduceRequest> produceStream(StreamObserver<ProduceResponse> out) {
    ServerCallStreamObserver<ProduceResponse> call =
        (ServerCallStreamObserver<ProduceResponse>) out;
    OrderedResponses responses = new OrderedResponses(call);
    call.disableAutoRequest();
    call.request(STREAM_WINDOW);
    // A stream keeps the route of its first batch (this node as leader, or one relay stream to
    // the leader), so its batches are appended in the order sent; if the route fails, so does the
    // stream, and the client reconnects.
    return new StreamObserver<>() {
      private boolean local;
      private ForwardedStream forwarded;

      @Override
      public void onNext(ProduceRequest request) {
        responses.add(route(request));
      }

      private CompletableFuture<ProduceResponse> route(ProduceRequest request) {
        try {
          limits.check(request);
          if (!local && forwarded == null) {
            Peer leader = leaderToForwardTo();
            if (leader == null) {
              local = true;
            } else {
              forwarded =
                  new ForwardedStream(forwardingStub(leader, false), leader.clientAddress());
            }
          }
        } catch (StatusRuntimeException e) {
          return CompletableFuture.failedFuture(e);
        }
        return local ? appendAsLeader(request) : forwarded.send(request);
      }

      @Override
      public void onError(Throwable t) {
        responses.cancel();
        if (forwarded != null) {
          forwarded.cancel();
        }
      }

      @Override
      public void onCompleted() {
        responses.halfClosed();
        if (forwarded != null) {
          forwarded.halfClose();
        }
      }
    };
  }

  /** One produce, wherever it must go; completes with the response or a StatusRuntimeException. */
  private CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
    try {
      limits.check(request);
      Peer leader = leaderToForwardTo();
      return leader == null ? appendAsLeader(request) : forward(leader, request);
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Null when this node leads; else the leader to forward to. Throws UNAVAILABLE when there is
   * none, or when the call was already forwarded once (a stale leader view: the client should
   * retry).
   */
  private Peer leaderToForwardTo() {
    if (raft.isLeader()) {
      return null;
    }
    Peer leader = raft.leader();
    if (leader == null) {
      throw Errors.noLeader();
    }
    if (LeaderHeaders.isForwarded() || leader.id().equals(config.nodeId())) {
      throw Errors.notLeader(leader.clientAddress());
    }
    return leader;
  }

  private CompletableFuture<ProduceResponse> appendAsLeader(ProduceRequest request) {
    long bytes = request.getSerializedSize();
    if (!inflight.tryAcquire(bytes)) {
      return CompletableFuture.failedFuture(
          Errors.overloaded(
              "the node already holds "
                  + inflight.maxBytes()
                  + " bytes of unacknowledged produce (log.max-inflight-bytes)"));
    }
    AppendBatch entry =
        AppendBatch.newBuilder()
            .addAllRecords(request.getRecordsList())
            .setProducerId(request.getProducerId())
            .setSequence(request.getSequence())
            .setAppendTimeMs(System.currentTimeMillis())
            .build();
    CompletableFuture<ProduceResponse> result = new CompletableFuture<>();
    raft.append(
        entry,
        new AppendCallback() {
          @Override
          public void onApplied(AppendOutcome outcome) {
            inflight.release(bytes);
            if (outcome instanceof AppendOutcome.Appended a) {
              result.complete(
                  ProduceResponse.newBuilder()
                      .setBaseOffset(a.baseOffset())
                      .setRecordCount(a.count())
                      .setDuplicate(a.duplicate())
                      .setSequence(request.getSequence())
                      .build());
            } else if (outcome instanceof AppendOutcome.Rejected r) {
              result.completeExceptionally(
                  Status.FAILED_PRECONDITION.withDescription(r.reason()).asRuntimeException());
            }
          }

          @Override
          public void onFailed(com.alipay.sofa.jraft.Status status) {
            inflight.release(bytes);
            result.completeExceptionally(Errors.appendFailed(status));
          }
        });
    return result;
  }

  /**
   * A stub for calls this node relays to the leader: marked as forwarded, and under the client's
   * deadline (gRPC carries it over), or a default one for unary calls that came without.
   */
  private LogGrpc.LogStub forwardingStub(Peer leader, boolean unary) {
    Metadata md = new Metadata();
    md.put(LeaderHeaders.FORWARDED, config.nodeId());
    LogGrpc.LogStub stub =
        LogGrpc.newStub(peers.channel(leader.clientAddress()))
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    return unary && Context.current().getDeadline() == null
        ? stub.withDeadlineAfter(FORWARD_DEFAULT_DEADLINE_MS, TimeUnit.MILLISECONDS)
        : stub;
  }

  /** Sends a produce one hop to the leader and relays its answer, status and all. */
  private CompletableFuture<ProduceResponse> forward(Peer leader, ProduceRequest request) {
    CompletableFuture<ProduceResponse> result = new CompletableFuture<>();
    forwardingStub(leader, true)
        .produce(
            request,
            new StreamObserver<>() {
              @Override
              public void onNext(ProduceResponse r) {
                result.complete(r);
              }

              @Override
              public void onError(Throwable t) {
                result.completeExceptionally(Errors.relayed(t, leader.clientAddress()));
              }

              @Override
              public void onCompleted() {}
            });
    return result;
  }

  // ---- consume

  @Override
  public void consume(ConsumeRequest request, StreamObserver<ConsumeResponse> out) {
    afterReadBarrier(
        request.getConsistency(),
        out,
        () -> {
          long next = store.nextOffset();
          if (request.getOffset() > next) {
            throw Errors.pastEnd(request.getOffset(), next);
          }
          var records = store.read(request.getOffset(), maxRecords(request), MAX_RESPONSE_BYTES);
          out.onNext(records.toResponse(Math.max(next, store.nextOffset())));
          out.onCompleted();
        });
  }

  @Override
  public void consumeStream(ConsumeRequest request, StreamObserver<ConsumeResponse> out) {
    TailSubscription tail =
        new TailSubscription(
            store,
            (ServerCallStreamObserver<ConsumeResponse>) out,
            maxRecords(request),
            MAX_STREAM_RESPONSE_BYTES,
            readExecutor,
            this::unsubscribe);
    afterReadBarrier(
        request.getConsistency(),
        out,
        () -> {
          long next = store.nextOffset();
          if (request.getOffset() > next) {
            throw Errors.pastEnd(request.getOffset(), next);
          }
          tails.add(tail);
          fsm.addAppliedListener(tail);
          if (tail.ended()) { // cancelled while waiting for the barrier
            unsubscribe(tail);
            return;
          }
          tail.start(request.getOffset());
        });
  }

  private void unsubscribe(TailSubscription tail) {
    fsm.removeAppliedListener(tail);
    tails.remove(tail);
  }

  /** Runs {@code read} on the read executor once the requested consistency holds. */
  private void afterReadBarrier(Consistency consistency, StreamObserver<?> out, Runnable read) {
    Runnable guarded =
        Context.current()
            .wrap(
                () -> {
                  try {
                    read.run();
                  } catch (RuntimeException e) {
                    out.onError(asStatus(e));
                  }
                });
    if (consistency == Consistency.LOCAL) {
      executeRead(guarded, out);
      return;
    }
    if (consistency != Consistency.LINEARIZABLE) {
      out.onError(Errors.invalid("unknown consistency " + consistency));
      return;
    }
    raft.readBarrier(
        status -> {
          if (status.isOk()) {
            executeRead(guarded, out);
          } else {
            out.onError(Errors.readBarrierFailed(status));
          }
        });
  }

  private void executeRead(Runnable read, StreamObserver<?> out) {
    try {
      readExecutor.execute(read);
    } catch (RejectedExecutionException full) {
      out.onError(Errors.readsQueued());
    }
  }

  private static int maxRecords(ConsumeRequest request) {
    int n = request.getMaxRecords();
    return n == 0 ? DEFAULT_MAX_RECORDS : Math.min(n, MAX_RECORDS);
  }

  // ---- cluster

  @Override
  public void getCluster(GetClusterRequest request, StreamObserver<GetClusterResponse> out) {
    answer(cluster.describe(request.getLocalOnly()), out);
  }

  @Override
  public void close() throws InterruptedException {
    Status down = Status.UNAVAILABLE.withDescription("the node is shutting down; reconnect");
    tails.forEach(t -> t.abort(down));
    peers.close();
  }

  /** Completes a unary call with the future's value or its error as a gRPC status. */
  private static <T> void answer(CompletableFuture<T> result, StreamObserver<T> out) {
    result.whenComplete(
        (response, error) -> {
          if (error != null) {
            out.onError(asStatus(error));
          } else {
            out.onNext(response);
            out.onCompleted();
          }
        });
  }

  private static StatusRuntimeException asStatus(Throwable t) {
    Throwable cause = t instanceof CompletionException ? t.getCause() : t;
    if (cause instanceof StatusRuntimeException s) {
      return s;
    }
    if (cause instanceof RuntimeException r) {
      return Errors.storage(r);
    }
    return Status.INTERNAL.withDescription(String.valueOf(cause)).asRuntimeException();
  }

  /**
   * Answers a ProduceStream's batches in the order they were sent, although they may complete in
   * any order, and asks for one more request each time a batch is answered.
   */
  private static final class OrderedResponses {
    private final ServerCallStreamObserver<ProduceResponse> out;
    private final ArrayDeque<CompletableFuture<ProduceResponse>> pending = new ArrayDeque<>();
    private boolean halfClosed;
    private boolean finished;

    OrderedResponses(ServerCallStreamObserver<ProduceResponse> out) {
      this.out = out;
    }

    void add(CompletableFuture<ProduceResponse> f) {
      synchronized (this) {
        pending.addLast(f);
      }
      f.whenComplete((r, e) -> flush());
    }

    synchronized void halfClosed() {
      halfClosed = true;
      flush();
    }

    synchronized void cancel() {
      finished = true;
      pending.clear();
    }

    private synchronized void flush() {
      while (!finished && !pending.isEmpty() && pending.peekFirst().isDone()) {
        CompletableFuture<ProduceResponse> head = pending.pollFirst();
        try {
          out.onNext(head.join());
          out.request(1);
        } catch (RuntimeException e) {
          finished = true;
          out.onError(asStatus(e));
          return;
        }
      }
      if (!finished && halfClosed && pending.isEmpty()) {
        finished = true;
        out.onCompleted();
      }
    }
  }
}
