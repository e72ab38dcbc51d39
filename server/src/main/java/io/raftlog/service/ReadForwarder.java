package io.raftlog.service;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.config.Peer;
import io.raftlog.storage.StoredRecords;
import java.util.List;

/**
 * Serves the reads of a stream whose shard this node holds no replica of (with {@code
 * cluster.replication} below the number of nodes): the call goes one hop, marked as forwarded, to
 * the shard's leader if this node knows it, else to a replica, and the answer comes back as it is.
 * A read changes nothing, so a replica that cannot be reached ({@code UNAVAILABLE} before any
 * answer) is followed by the next one. A forwarded read that reaches a node without a replica (its
 * view of the replicas was stale) is answered {@code UNAVAILABLE} there, never forwarded again.
 * Stateless; called on gRPC's threads, its relays run on gRPC's client threads in the call's
 * context (deadline, cancellation).
 */
final class ReadForwarder {
  private final Routes routes;
  private final Forwarder forwarder;

  ReadForwarder(Routes routes, Forwarder forwarder) {
    this.routes = routes;
    this.forwarder = forwarder;
  }

  /**
   * The nodes to try for a read of {@code shard}, best first; UNAVAILABLE naming the replicas when
   * the call was forwarded already or no other node holds the shard.
   */
  List<Peer> targets(int shard) {
    List<Peer> targets = routes.readTargets(shard);
    if (LeaderHeaders.isForwarded() || targets.isEmpty()) {
      throw Errors.notReplica(shard, routes.replicasOf(shard));
    }
    return targets;
  }

  /** Relays a unary read of {@code shard}, trying its replicas in turn while none answers. */
  <Q, R> void unary(
      int shard, Q request, Forwarder.UnaryMethod<Q, R> method, StreamObserver<R> out) {
    List<Peer> targets;
    try {
      targets = targets(shard);
    } catch (RuntimeException e) {
      out.onError(Errors.asStatus(e));
      return;
    }
    attempt(shard, targets, 0, request, method, out, Context.current());
  }

  private <Q, R> void attempt(
      int shard,
      List<Peer> targets,
      int i,
      Q request,
      Forwarder.UnaryMethod<Q, R> method,
      StreamObserver<R> out,
      Context call) {
    Peer target = targets.get(i);
    forwarder
        .unary(shard, target, request, method)
        .whenComplete(
            (answer, failure) -> {
              if (failure == null) {
                out.onNext(answer);
                out.onCompleted();
              } else if (unreachable(failure) && i + 1 < targets.size() && !call.isCancelled()) {
                // On gRPC's client thread: the next attempt runs in the call's context again.
                call.run(() -> attempt(shard, targets, i + 1, request, method, out, call));
              } else {
                out.onError(Errors.asStatus(failure));
              }
            });
  }

  /** Relays a Consume: the answer's bytes pass through as stored ({@link StoredAnswers}). */
  void consume(int shard, ConsumeRequest request, StreamObserver<StoredRecords> out) {
    unary(
        shard,
        request,
        (stub, r, o) ->
            ClientCalls.asyncUnaryCall(
                stub.getChannel().newCall(StoredAnswers.CONSUME, stub.getCallOptions()), r, o),
        out);
  }

  /**
   * Relays a ConsumeStream over one stream to a replica, at the pace the client reads ({@link
   * ForwardedTail}). Must run on the call's first invocation, where gRPC takes its handlers.
   */
  void consumeStream(
      int shard, ConsumeRequest request, ServerCallStreamObserver<StoredRecords> out) {
    List<Peer> targets;
    try {
      targets = targets(shard);
    } catch (RuntimeException e) {
      out.onError(Errors.asStatus(e));
      return;
    }
    new ForwardedTail(
            out,
            targets,
            (target, upstream) -> {
              LogGrpc.LogStub stub = forwarder.stub(target, shard, false);
              ClientCalls.asyncServerStreamingCall(
                  stub.getChannel().newCall(StoredAnswers.CONSUME_STREAM, stub.getCallOptions()),
                  request,
                  upstream);
            })
        .start();
  }

  /** Whether a relayed call failed for want of an answer, so another replica may be asked. */
  static boolean unreachable(Throwable failure) {
    return Status.fromThrowable(failure).getCode() == Status.Code.UNAVAILABLE;
  }
}
