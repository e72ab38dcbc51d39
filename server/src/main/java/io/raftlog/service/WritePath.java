package io.raftlog.service;

import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.AppendBatch;
import io.raftlog.internal.v1.ShardEntry;
import io.raftlog.replication.AppendOutcome;
import io.raftlog.replication.ReplicatedLog;
import java.util.concurrent.CompletableFuture;

/**
 * The produce path: checks a batch against the {@link ProduceLimits}, and appends it through Raft
 * when this node leads, holding its bytes in the {@link InflightLimiter} until Raft answers; else
 * the {@link Forwarder} sends it to the leader. Called on gRPC's threads; its futures complete on
 * JRaft's threads (appended here) or gRPC's client threads (forwarded).
 */
final class WritePath {
  private final ReplicatedLog raft;
  private final ProduceLimits limits;
  private final InflightLimiter inflight;
  private final Forwarder forwarder;

  WritePath(
      ReplicatedLog raft, ProduceLimits limits, InflightLimiter inflight, Forwarder forwarder) {
    this.raft = raft;
    this.limits = limits;
    this.inflight = inflight;
    this.forwarder = forwarder;
  }

  /** Throws INVALID_ARGUMENT for a batch that must never reach Raft. */
  void check(ProduceRequest request) {
    limits.check(request);
  }

  /**
   * One unary produce, wherever it must go; completes with the response or a failure for {@link
   * Errors#asStatus}.
   */
  CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
    try {
      check(request);
      Peer leader = forwarder.leaderToForwardTo();
      return leader == null ? appendAsLeader(request) : forwarder.produce(leader, request);
    } catch (StatusRuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Appends a checked batch through Raft; this node must lead (elsewhere Raft refuses it). */
  CompletableFuture<ProduceResponse> appendAsLeader(ProduceRequest request) {
    long bytes = request.getSerializedSize();
    if (!inflight.tryAcquire(bytes)) {
      return CompletableFuture.failedFuture(
          Errors.overloaded(
              "the node already holds "
                  + inflight.maxBytes()
                  + " bytes of unacknowledged produce (log.max-inflight-bytes)"));
    }
    // Interim, until the service is rewritten for streams: one part, auto-creating.
    StreamRecords.Builder part =
        StreamRecords.newBuilder()
            .setStream(io.raftlog.wire.StreamNames.orDefault(request.getStream()))
            .addAllRecords(request.getRecordsList());
    if (request.hasExpectedOffset()) {
      part.setExpectedOffset(request.getExpectedOffset());
    }
    ShardEntry entry =
        ShardEntry.newBuilder()
            .setAppend(
                AppendBatch.newBuilder()
                    .addParts(part)
                    .setProducerId(request.getProducerId())
                    .setSequence(request.getSequence())
                    .setAppendTimeMs(System.currentTimeMillis())
                    .setCreateStreams(true))
            .build();
    // Runs on the JRaft thread that completes the append: it only builds the answer.
    return raft.append(entry)
        .whenComplete((outcome, failure) -> inflight.release(bytes))
        .thenApply(outcome -> response(request, outcome));
  }

  private static ProduceResponse response(ProduceRequest request, AppendOutcome outcome) {
    if (outcome instanceof AppendOutcome.Rejected r) {
      throw Errors.rejected(r.reason());
    }
    AppendOutcome.Appended a = (AppendOutcome.Appended) outcome;
    AppendOutcome.PartOffsets first = a.parts().get(0);
    return ProduceResponse.newBuilder()
        .setBaseOffset(first.baseOffset())
        .setRecordCount(first.count())
        .setDuplicate(a.duplicate())
        .setSequence(request.getSequence())
        .build();
  }
}
