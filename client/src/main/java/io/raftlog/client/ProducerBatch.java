package io.raftlog.client;

import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Records sent together; one Raft entry on the cluster.
 *
 * <p>Caller threads fill it under the {@link RecordAccumulator}'s lock while it is open; once it is
 * sealed only the sender thread touches it (its sequence, attempts and send time). Its futures
 * complete on the producer's callbacks thread.
 */
final class ProducerBatch {
  final long createdNanos;
  final List<Record> records = new ArrayList<>();
  final List<CompletableFuture<Long>> offsets = new ArrayList<>();

  /** Completes (never exceptionally) once every offset future has completed. */
  final CompletableFuture<Void> done = new CompletableFuture<>();

  long bytes;

  /** -1 until the batch is first sent; then kept through resends unless renumbered. */
  long sequence = -1;

  long sentNanos;
  Attempts attempts;
  private ProduceRequest request;

  ProducerBatch(long createdNanos) {
    this.createdNanos = createdNanos;
  }

  /** The request for this batch; built again only when its sequence has changed. */
  ProduceRequest request(long producerId) {
    if (request == null || request.getSequence() != sequence) {
      request =
          ProduceRequest.newBuilder()
              .addAllRecords(records)
              .setProducerId(producerId)
              .setSequence(sequence)
              .build();
    }
    return request;
  }
}
