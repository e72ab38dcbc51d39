package io.raftlog.client;

import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamOffsets;
import io.raftlog.api.v1.StreamRecords;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Records sent together to one shard: one Raft entry on the cluster, appended all or nothing. It
 * holds one {@link Part} per stream, in the order each stream first appeared in the batch, and each
 * part holds that stream's records in send order.
 *
 * <p>Caller threads fill it under the {@link RecordAccumulator}'s lock while it is open; once it is
 * sealed only the sender thread touches it (its sequence, attempts and send time). Its futures
 * complete on the producer's callbacks thread.
 */
final class ProducerBatch {
  final int shard;
  final long createdNanos;
  final LinkedHashMap<String, Part> parts = new LinkedHashMap<>();

  /** Completes (never exceptionally) once every offset future has completed. */
  final CompletableFuture<Void> done = new CompletableFuture<>();

  /** Bytes of records, as reserved in the producer's buffer and released when answered. */
  long bytes;

  /** Bytes counted against the batch size: records, and each part's stream name and framing. */
  long size;

  int recordCount;

  /** Set only on a batch of one part appended on condition (it is never shared). */
  Long expectedOffset;

  /** -1 until the batch is first sent; then kept through resends unless renumbered. */
  long sequence = -1;

  long sentNanos;
  Attempts attempts;
  private ProduceRequest request;

  ProducerBatch(int shard, long createdNanos) {
    this.shard = shard;
    this.createdNanos = createdNanos;
  }

  /** Adds {@code record} to {@code stream}'s part, opening the part if the batch has none yet. */
  void add(String stream, Record record, CompletableFuture<Long> offset) {
    Part p = parts.computeIfAbsent(stream, Part::new);
    p.records.add(record);
    p.offsets.add(offset);
    recordCount++;
  }

  /** Every offset future, part by part. */
  List<CompletableFuture<Long>> offsets() {
    List<CompletableFuture<Long>> all = new ArrayList<>(recordCount);
    parts.values().forEach(p -> all.addAll(p.offsets));
    return all;
  }

  /** Every record, part by part. */
  List<Record> records() {
    List<Record> all = new ArrayList<>(recordCount);
    parts.values().forEach(p -> all.addAll(p.records));
    return all;
  }

  /** The request for this batch; built again only when its sequence has changed. */
  ProduceRequest request(long producerId) {
    if (request == null || request.getSequence() != sequence) {
      ProduceRequest.Builder b =
          ProduceRequest.newBuilder().setProducerId(producerId).setSequence(sequence);
      for (Part p : parts.values()) {
        StreamRecords.Builder part =
            StreamRecords.newBuilder().setStream(p.stream).addAllRecords(p.records);
        if (expectedOffset != null) {
          part.setExpectedOffset(expectedOffset);
        }
        b.addParts(part);
      }
      request = b.build();
    }
    return request;
  }

  /** Whether {@code answer} answers this batch: one appended entry per part, of its size. */
  boolean answeredBy(ProduceResponse answer) {
    if (answer.getAppendedCount() == 0) {
      // An answer that lists no parts: only a one-part batch can be matched.
      return parts.size() == 1 && answer.getRecordCount() == recordCount;
    }
    if (answer.getAppendedCount() != parts.size()) {
      return false;
    }
    int i = 0;
    for (Part p : parts.values()) {
      StreamOffsets o = answer.getAppended(i++);
      if (o.getRecordCount() != p.records.size()
          || (!o.getStream().isEmpty() && !o.getStream().equals(p.stream))) {
        return false;
      }
    }
    return true;
  }

  String describe() {
    return "produce of a batch of "
        + recordCount
        + (recordCount == 1 ? " record" : " records")
        + (parts.size() == 1
            ? " to stream " + parts.keySet().iterator().next()
            : " to " + parts.size() + " streams")
        + " (shard "
        + shard
        + ")";
  }

  /** One stream's records within the batch. */
  static final class Part {
    final String stream;
    final List<Record> records = new ArrayList<>();
    final List<CompletableFuture<Long>> offsets = new ArrayList<>();

    Part(String stream) {
      this.stream = stream;
    }
  }
}
