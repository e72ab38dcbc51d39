package io.raftlog.service;

import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.StreamOffsets;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.config.Peer;
import io.raftlog.replication.AppendOutcome;
import io.raftlog.replication.ReplicatedLog;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The produce path: checks a batch against the {@link ProduceLimits}, finds its shard, and appends
 * it through that shard's Raft group when this node leads it, holding its bytes in the {@link
 * InflightLimiter} until Raft answers; else the {@link Forwarder} sends it to the shard's leader.
 * Called on gRPC's threads; its futures complete on JRaft's threads (appended here) or gRPC's
 * client threads (forwarded).
 */
final class WritePath {
  private final Routes routes;
  private final ProduceLimits limits;
  private final InflightLimiter inflight;
  private final Forwarder forwarder;
  private final NodeTraffic traffic;

  /** A checked batch: its parts, with names defaulted, and the one shard they all live in. */
  record Checked(ProduceRequest request, List<StreamRecords> parts, int shard) {}

  WritePath(
      Routes routes,
      ProduceLimits limits,
      InflightLimiter inflight,
      Forwarder forwarder,
      NodeTraffic traffic) {
    this.routes = routes;
    this.traffic = traffic;
    this.limits = limits;
    this.inflight = inflight;
    this.forwarder = forwarder;
  }

  /**
   * Throws INVALID_ARGUMENT for a batch that must never reach Raft (RESOURCE_EXHAUSTED while this
   * node's disk is full), and names its shard.
   */
  Checked check(ProduceRequest request) {
    List<StreamRecords> parts = limits.check(request);
    int shard = routes.shardOf(parts.get(0).getStream());
    for (StreamRecords p : parts) {
      int s = routes.shardOf(p.getStream());
      if (s != shard) {
        throw Errors.invalid(
            "streams '"
                + parts.get(0).getStream()
                + "' (shard "
                + shard
                + ") and '"
                + p.getStream()
                + "' (shard "
                + s
                + ") live in different shards: one batch writes to one shard");
      }
    }
    routes.refuseWritesWhileDiskFull();
    LeaderHeaders.servedBy(routes.leaderAddressOf(shard));
    return new Checked(request, parts, shard);
  }

  /**
   * One unary produce, wherever it must go; completes with the response or a failure for {@link
   * Errors#asStatus}.
   */
  CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
    try {
      Checked batch = check(request);
      Peer leader = forwarder.leaderToForwardTo(batch.shard());
      return leader == null
          ? appendAsLeader(batch)
          : forwarder.unary(batch.shard(), leader, request, (stub, r, out) -> stub.produce(r, out));
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Appends a checked batch through Raft; this node must lead its shard (else Raft refuses it). */
  CompletableFuture<ProduceResponse> appendAsLeader(Checked batch) {
    ReplicatedLog shard = routes.local(batch.shard());
    ProduceRequest request = batch.request();
    long bytes = request.getSerializedSize();
    if (!inflight.tryAcquire(bytes)) {
      return CompletableFuture.failedFuture(
          Errors.overloaded(
              "the node already holds "
                  + inflight.maxBytes()
                  + " bytes of unacknowledged produce (log.max-inflight-bytes)"));
    }
    // Runs on the JRaft thread that completes the append: it only builds the answer.
    return shard
        .append(batch.parts(), request.getProducerId(), request.getSequence())
        .whenComplete((outcome, failure) -> inflight.release(bytes))
        .thenApply(outcome -> response(batch, outcome));
  }

  private ProduceResponse response(Checked batch, AppendOutcome outcome) {
    if (outcome instanceof AppendOutcome.Rejected r) {
      throw Errors.rejected(r);
    }
    AppendOutcome.Appended a = (AppendOutcome.Appended) outcome;
    ProduceResponse.Builder b =
        ProduceResponse.newBuilder()
            .setDuplicate(a.duplicate())
            .setSequence(batch.request().getSequence());
    for (int i = 0; i < batch.parts().size(); i++) {
      AppendOutcome.PartOffsets p = a.parts().get(i);
      if (!a.duplicate()) {
        StreamRecords part = batch.parts().get(i);
        traffic.appended(part.getStream(), p.count(), part.getSerializedSize());
      }
      b.addAppended(
          StreamOffsets.newBuilder()
              .setStream(batch.parts().get(i).getStream())
              .setBaseOffset(p.baseOffset())
              .setRecordCount(p.count()));
    }
    return b.setBaseOffset(b.getAppended(0).getBaseOffset())
        .setRecordCount(b.getAppended(0).getRecordCount())
        .build();
  }
}
