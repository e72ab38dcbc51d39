package io.raftlog.service;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.TopStreamsOrder;
import io.raftlog.api.v1.TopStreamsRequest;
import io.raftlog.api.v1.TopStreamsResponse;
import io.raftlog.auth.Caller;
import io.raftlog.config.Peer;
import io.raftlog.replication.Replicas;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Answers TopStreams: the busiest streams of the last window ({@link StreamActivity#WINDOW_MS}),
 * this node's counts plus, unless {@code local_only}, every other node's (asked in parallel with
 * {@code local_only}, each within {@link #PEER_TIMEOUT_MS}), summed per stream: appends count on
 * the shard's leader, reads on the node that served them, so a stream's traffic is spread over
 * nodes. A node that does not answer is named in {@code unreachable_nodes}. Stateless; runs on
 * gRPC's threads, peers' answers complete on gRPC's client threads.
 */
final class BusiestStreams {
  static final int DEFAULT_LIMIT = 10;
  static final int MAX_LIMIT = 1000;
  private static final long PEER_TIMEOUT_MS = 1000;

  private final String self;
  private final Replicas replicas;
  private final PeerChannels peers;
  private final NodeTraffic traffic;

  BusiestStreams(String self, Replicas replicas, PeerChannels peers, NodeTraffic traffic) {
    this.self = self;
    this.replicas = replicas;
    this.peers = peers;
    this.traffic = traffic;
  }

  CompletableFuture<TopStreamsResponse> top(TopStreamsRequest request) {
    int limit = limit(request.getLimit());
    Comparator<StreamActivity.Rates> order = order(request.getOrder());
    // Peers answer their MAX_LIMIT busiest: a stream below one node's top may be in the sum's.
    List<StreamActivity.Rates> mine =
        traffic.streams().top(request.getLocalOnly() ? limit : MAX_LIMIT, order);
    List<CompletableFuture<TopStreamsResponse>> asked = new ArrayList<>();
    List<String> askedIds = new ArrayList<>();
    if (!request.getLocalOnly()) {
      TopStreamsRequest local =
          TopStreamsRequest.newBuilder()
              .setLimit(MAX_LIMIT)
              .setOrder(request.getOrder())
              .setLocalOnly(true)
              .build();
      for (Peer p : replicas.members().all().values()) {
        if (!p.id().equals(self)) {
          askedIds.add(p.id());
          asked.add(ask(p, local));
        }
      }
    }
    return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, double[]> sums = new HashMap<>();
              mine.forEach(r -> add(sums, r));
              TopStreamsResponse.Builder b =
                  TopStreamsResponse.newBuilder().setWindowMs((int) StreamActivity.WINDOW_MS);
              for (int i = 0; i < asked.size(); i++) {
                TopStreamsResponse r = asked.get(i).join();
                if (r == null) {
                  b.addUnreachableNodes(askedIds.get(i));
                } else {
                  r.getStreamsList().forEach(s -> add(sums, rates(s)));
                }
              }
              List<StreamActivity.Rates> all = new ArrayList<>();
              sums.forEach(
                  (stream, v) -> all.add(new StreamActivity.Rates(stream, v[0], v[1], v[2], v[3])));
              all.sort(order);
              for (StreamActivity.Rates r : all.subList(0, Math.min(limit, all.size()))) {
                b.addStreams(
                    io.raftlog.api.v1.StreamActivity.newBuilder()
                        .setStream(r.stream())
                        .setShard(replicas.shardOf(r.stream()))
                        .setRecordsAppendedPerSec(r.recordsAppendedPerSec())
                        .setBytesAppendedPerSec(r.bytesAppendedPerSec())
                        .setRecordsReadPerSec(r.recordsReadPerSec())
                        .setBytesReadPerSec(r.bytesReadPerSec()));
              }
              return b.build();
            });
  }

  /**
   * Streams to answer for a uint32 {@code limit}: 0 means the default; INVALID_ARGUMENT past max.
   */
  static int limit(int uint32) {
    long limit = Integer.toUnsignedLong(uint32);
    if (limit > MAX_LIMIT) {
      throw Errors.invalid("limit must be at most " + MAX_LIMIT + ", not " + limit);
    }
    return limit == 0 ? DEFAULT_LIMIT : (int) limit;
  }

  private static Comparator<StreamActivity.Rates> order(TopStreamsOrder order) {
    return switch (order) {
      case TOP_STREAMS_ORDER_BYTES -> StreamActivity.BY_BYTES;
      case TOP_STREAMS_ORDER_RECORDS -> StreamActivity.BY_RECORDS;
      default -> throw Errors.invalid("order must be TOP_STREAMS_ORDER_BYTES or _RECORDS");
    };
  }

  private static StreamActivity.Rates rates(io.raftlog.api.v1.StreamActivity s) {
    return new StreamActivity.Rates(
        s.getStream(),
        s.getRecordsAppendedPerSec(),
        s.getBytesAppendedPerSec(),
        s.getRecordsReadPerSec(),
        s.getBytesReadPerSec());
  }

  private static void add(Map<String, double[]> sums, StreamActivity.Rates r) {
    double[] v = sums.computeIfAbsent(r.stream(), k -> new double[4]);
    v[0] += r.recordsAppendedPerSec();
    v[1] += r.bytesAppendedPerSec();
    v[2] += r.recordsReadPerSec();
    v[3] += r.bytesReadPerSec();
  }

  /** A peer's own busiest streams, or null if it did not answer in time. */
  private CompletableFuture<TopStreamsResponse> ask(Peer p, TopStreamsRequest request) {
    CompletableFuture<TopStreamsResponse> result = new CompletableFuture<>();
    Futures.addCallback(
        Caller.onBehalf(LogGrpc.newFutureStub(peers.channel(p.clientAddress())))
            .withDeadlineAfter(PEER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .topStreams(request),
        new FutureCallback<>() {
          @Override
          public void onSuccess(TopStreamsResponse r) {
            result.complete(r);
          }

          @Override
          public void onFailure(Throwable t) {
            result.complete(null);
          }
        },
        MoreExecutors.directExecutor());
    return result;
  }
}
