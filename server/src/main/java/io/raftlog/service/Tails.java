package io.raftlog.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.replication.AppliedEvents;
import io.raftlog.storage.RocksLogStore;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The node's open ConsumeStream calls: owns the set of {@link TailSubscription}s, subscribes each
 * to the log's applied events once its read can start, unsubscribes it when it ends, and aborts
 * them all when the node stops. Thread-safe: called on gRPC's threads, the read executor and the
 * subscriptions' own ends.
 */
final class Tails {
  private final RocksLogStore store;
  private final AppliedEvents applied;
  private final Executor readExecutor;
  private final Set<TailSubscription> open = ConcurrentHashMap.newKeySet();

  Tails(RocksLogStore store, AppliedEvents applied, Executor readExecutor) {
    this.store = store;
    this.applied = applied;
    this.readExecutor = readExecutor;
  }

  /**
   * A subscription for a ConsumeStream call, not yet started. Must be made on the call's first
   * invocation, where gRPC takes its cancel and ready handlers.
   */
  TailSubscription create(
      ServerCallStreamObserver<ConsumeResponse> out, int maxRecords, int maxBytes) {
    return new TailSubscription(store, out, maxRecords, maxBytes, readExecutor, this::unsubscribe);
  }

  /** Follows the log from {@code offset}, unless the call was cancelled in the meantime. */
  void start(TailSubscription tail, long offset) {
    open.add(tail);
    applied.addAppliedListener(tail);
    if (tail.ended()) { // cancelled while waiting for the read barrier
      unsubscribe(tail);
      return;
    }
    tail.start(offset);
  }

  /** Ends every open stream with UNAVAILABLE: the node is shutting down. */
  void abortAll() {
    open.forEach(t -> t.abort(Errors.shuttingDown()));
  }

  private void unsubscribe(TailSubscription tail) {
    applied.removeAppliedListener(tail);
    open.remove(tail);
  }
}
