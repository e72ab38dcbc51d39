package io.raftlog.service;

import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import java.util.ArrayList;
import java.util.List;

/** Checks a produce request before it goes near the log; a bad batch never reaches Raft. */
final class ProduceLimits {
  private final int maxRecordBytes;
  private final int maxBatchBytes;

  ProduceLimits(int maxRecordBytes, int maxBatchBytes) {
    this.maxRecordBytes = maxRecordBytes;
    this.maxBatchBytes = maxBatchBytes;
  }

  /**
   * The request's parts, one per stream, with stream names checked and defaulted; throws
   * INVALID_ARGUMENT naming the first problem found.
   */
  List<StreamRecords> check(ProduceRequest req) {
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
    List<StreamRecords> parts = new ArrayList<>();
    if (req.getPartsCount() > 0) {
      if (req.getRecordsCount() > 0 || !req.getStream().isEmpty() || req.hasExpectedOffset()) {
        throw Errors.invalid(
            "the produce request has both `parts` and `stream`/`records`/`expected_offset`: use"
                + " one form");
      }
      for (StreamRecords p : req.getPartsList()) {
        parts.add(p.toBuilder().setStream(Routes.streamName(p.getStream())).build());
      }
    } else {
      StreamRecords.Builder p =
          StreamRecords.newBuilder()
              .setStream(Routes.streamName(req.getStream()))
              .addAllRecords(req.getRecordsList());
      if (req.hasExpectedOffset()) {
        p.setExpectedOffset(req.getExpectedOffset());
      }
      parts.add(p.build());
    }
    int index = 0;
    for (StreamRecords p : parts) {
      if (p.getRecordsCount() == 0) {
        throw Errors.invalid(
            parts.size() == 1
                ? "the produce request has no records: send at least one"
                : "part " + index + " (stream '" + p.getStream() + "') has no records");
      }
      for (int i = 0; i < p.getRecordsCount(); i++) {
        long size = recordBytes(p.getRecords(i));
        if (size > maxRecordBytes) {
          throw Errors.invalid(
              "record "
                  + i
                  + (parts.size() == 1 ? " of the batch" : " of part " + index)
                  + " is "
                  + size
                  + " bytes (value + key + headers), over the limit of "
                  + maxRecordBytes
                  + " (log.max-record-bytes)");
        }
      }
      index++;
    }
    return parts;
  }

  private static long recordBytes(Record r) {
    long n = r.getValue().size() + r.getKey().size();
    for (Header h : r.getHeadersList()) {
      // Bytes, as the limit says: a key of non-ASCII characters has more bytes than characters.
      n += h.getKeyBytes().size() + h.getValue().size();
    }
    return n;
  }
}
