package io.raftlog.service;

import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;

/** Checks a produce request before it goes near the log; a bad batch never reaches Raft. */
final class ProduceLimits {
  private final int maxRecordBytes;
  private final int maxBatchBytes;

  ProduceLimits(int maxRecordBytes, int maxBatchBytes) {
    this.maxRecordBytes = maxRecordBytes;
    this.maxBatchBytes = maxBatchBytes;
  }

  /** Throws INVALID_ARGUMENT naming the first problem found. */
  void check(ProduceRequest req) {
    if (req.getRecordsCount() == 0) {
      throw Errors.invalid("the produce request has no records: send at least one");
    }
    if (req.getProducerId() == 0 && req.getSequence() != 0) {
      throw Errors.invalid(
          "sequence "
              + req.getSequence()
              + " was given without a producer_id: set both for idempotent produce, or neither");
    }
    int batchBytes = req.getSerializedSize();
    if (batchBytes > maxBatchBytes) {
      throw Errors.invalid(
          "the batch is "
              + batchBytes
              + " bytes, over the limit of "
              + maxBatchBytes
              + " (log.max-batch-bytes): split it into smaller batches");
    }
    for (int i = 0; i < req.getRecordsCount(); i++) {
      long size = recordBytes(req.getRecords(i));
      if (size > maxRecordBytes) {
        throw Errors.invalid(
            "record "
                + i
                + " of the batch is "
                + size
                + " bytes (value + key + headers), over the limit of "
                + maxRecordBytes
                + " (log.max-record-bytes)");
      }
    }
  }

  private static long recordBytes(Record r) {
    long n = r.getValue().size() + r.getKey().size();
    for (Header h : r.getHeadersList()) {
      n += h.getKey().length() + h.getValue().size();
    }
    return n;
  }
}
