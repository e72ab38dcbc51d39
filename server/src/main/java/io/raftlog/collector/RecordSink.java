package io.raftlog.collector;

import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import java.util.concurrent.CompletableFuture;

/**
 * Where the collector puts what it takes in: the node's own produce path, reached without a gRPC
 * hop ({@code LogService#produceAsync}). Declared here so the collector depends on this and nothing
 * of the node's inside.
 */
public interface RecordSink {
  /**
   * Appends one batch (all of whose parts live in one shard), forwarding it to the shard's leader
   * when this node does not lead it. Fails only with the {@code StatusRuntimeException} a gRPC
   * {@code Produce} would have answered.
   */
  CompletableFuture<ProduceResponse> produce(ProduceRequest batch);

  /**
   * Throws the {@code StatusRuntimeException} ({@code PERMISSION_DENIED}) of a batch the caller may
   * not append. Called for every batch of an export before any is sent: a refused export appends
   * nothing. The caller is the export's (its gRPC call's context; OTLP/HTTP's is anonymous).
   */
  default void authorize(ProduceRequest batch) {}

  /** The shard {@code stream} lives in, so an export can be cut into one batch per shard. */
  int shardOf(String stream);
}
