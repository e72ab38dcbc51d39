package io.raftlog.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.replication.AppliedListener;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.storage.LogReader;
import io.raftlog.storage.StoredRecords;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The node's open ConsumeStream calls, by stream: owns the {@link TailSubscription}s, listens once
 * to each local shard's applied events and wakes only the subscriptions of the streams that grew,
 * unsubscribes each when it ends, and aborts them all when the node stops. An idle stream with no
 * reader costs nothing here. Thread-safe: called on gRPC's threads, JRaft's apply threads, the read
 * executor and the subscriptions' own ends.
 */
final class Tails {
  private final Executor readExecutor;
  private final NodeTraffic traffic;
  private final Map<String, Set<TailSubscription>> byStream = new ConcurrentHashMap<>();

  Tails(Executor readExecutor, NodeTraffic traffic) {
    this.traffic = traffic;
    this.readExecutor = readExecutor;
  }

  /** Follows one shard replica's applied events (each of the node's, as it starts). */
  void follow(ReplicatedLog shard) {
    {
      shard.addAppliedListener(
          new AppliedListener() {
            @Override
            public void onApplied(String stream, long nextOffset) {
              Set<TailSubscription> subs = byStream.get(stream);
              if (subs != null) {
                subs.forEach(TailSubscription::wake);
              }
            }

            @Override
            public void onReset() {
              // A snapshot replaced the shard's store: wake every reader of the shard.
              byStream.values().forEach(subs -> subs.forEach(TailSubscription::wake));
            }
          });
    }
  }

  /**
   * A subscription for a ConsumeStream call, not yet started. Must be made on the call's first
   * invocation, where gRPC takes its cancel and ready handlers.
   */
  TailSubscription create(
      ServerCallStreamObserver<StoredRecords> out,
      int maxRecords,
      int maxBytes,
      OffsetReset reset) {
    return new TailSubscription(
        out, maxRecords, maxBytes, reset, readExecutor, this::unsubscribe, traffic);
  }

  /** Follows {@code stream} from {@code offset}, unless the call was cancelled in the meantime. */
  void start(TailSubscription tail, LogReader reader, String stream, long offset) {
    tail.bind(reader, stream);
    byStream.computeIfAbsent(stream, s -> ConcurrentHashMap.newKeySet()).add(tail);
    if (tail.ended()) { // cancelled while waiting for the read barrier
      unsubscribe(tail);
      return;
    }
    tail.start(offset);
  }

  /** Subscriptions following a stream now. */
  int size() {
    return byStream.values().stream().mapToInt(Set::size).sum();
  }

  /** Ends every open stream with UNAVAILABLE: the node is shutting down. */
  void abortAll() {
    byStream.values().forEach(subs -> subs.forEach(t -> t.abort(Errors.shuttingDown())));
  }

  private void unsubscribe(TailSubscription tail) {
    String stream = tail.stream();
    if (stream == null) {
      return;
    }
    byStream.computeIfPresent(
        stream,
        (s, subs) -> {
          subs.remove(tail);
          return subs.isEmpty() ? null : subs;
        });
  }
}
