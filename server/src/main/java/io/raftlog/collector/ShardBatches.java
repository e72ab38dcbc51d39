package io.raftlog.collector;

import com.google.protobuf.CodedOutputStream;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.otlp.LogStreamNames;
import io.raftlog.otlp.LogValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * One OTLP export cut into raftlog batches: every log record becomes a record ({@link
 * LogValues#otlp}) of the stream its resource maps to ({@link LogStreamNames}), and the streams of
 * one shard go into one {@link ProduceRequest} (a part per stream, records in export order), whose
 * producer id is the hash of its content ({@link ContentHash}, sequence 0) so that a retried export
 * is recognised shard by shard.
 *
 * <p>Records over {@code log.max-record-bytes} are left out and counted ({@link #rejected()}); a
 * shard's batch over {@code log.max-batch-bytes} fails the whole cut with {@code INVALID_ARGUMENT}
 * before anything is sent. The cut stops as soon as one shard's records pass that limit, so an
 * export whose records repeat a large resource many times never takes more than {@code
 * log.max-batch-bytes} per shard. Made and used on one thread, by {@link LogsIngest}.
 */
final class ShardBatches {
  /** One shard's batch and what it holds, for the answer. */
  record Batch(int shard, ProduceRequest request, int records) {
    /** The streams of the batch, for messages. */
    List<String> streams() {
      return request.getPartsList().stream().map(StreamRecords::getStream).toList();
    }
  }

  private final List<Batch> batches;
  private final long rejected;
  private final String firstProblem;

  private ShardBatches(List<Batch> batches, long rejected, String firstProblem) {
    this.batches = batches;
    this.rejected = rejected;
    this.firstProblem = firstProblem;
  }

  List<Batch> batches() {
    return batches;
  }

  /** Log records left out (each over {@code log.max-record-bytes}). */
  long rejected() {
    return rejected;
  }

  /** Why the first record was left out, or null. */
  String firstProblem() {
    return firstProblem;
  }

  /** One shard's parts while the export is read: a part per stream, in first-seen order. */
  private static final class Shard {
    final Map<String, StreamRecords.Builder> parts = new LinkedHashMap<>();
    long bytes;
    int records;
  }

  /**
   * Cuts {@code export}; throws INVALID_ARGUMENT when a shard's batch would pass {@code
   * maxBatchBytes}.
   */
  static ShardBatches cut(
      ExportLogsServiceRequest export,
      LogStreamNames names,
      ToIntFunction<String> shardOf,
      int maxRecordBytes,
      int maxBatchBytes) {
    Map<Integer, Shard> shards = new LinkedHashMap<>();
    Map<String, Integer> shardOfStream = new HashMap<>();
    long rejected = 0;
    String firstProblem = null;
    for (int ri = 0; ri < export.getResourceLogsCount(); ri++) {
      ResourceLogs rl = export.getResourceLogs(ri);
      String stream = names.streamFor(rl.getResource());
      int shardId = shardOfStream.computeIfAbsent(stream, shardOf::applyAsInt);
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (int li = 0; li < sl.getLogRecordsCount(); li++) {
          LogRecord log = sl.getLogRecords(li);
          Record r = LogValues.otlp(rl, sl, log);
          long size = recordBytes(r);
          if (size > maxRecordBytes) {
            if (firstProblem == null) {
              firstProblem =
                  "log record "
                      + li
                      + " of resource_logs "
                      + ri
                      + " is "
                      + size
                      + " bytes as a record (the log with its resource and scope), over the"
                      + " limit of "
                      + maxRecordBytes
                      + " (log.max-record-bytes)";
            }
            rejected++;
            continue;
          }
          Shard shard = shards.computeIfAbsent(shardId, k -> new Shard());
          StreamRecords.Builder part =
              shard.parts.computeIfAbsent(
                  stream,
                  s -> {
                    shard.bytes += CodedOutputStream.computeStringSize(1, s) + 5;
                    return StreamRecords.newBuilder().setStream(s);
                  });
          part.addRecords(r);
          shard.records++;
          shard.bytes += CodedOutputStream.computeMessageSize(2, r);
          if (shard.bytes > maxBatchBytes) {
            throw tooBig(shard, "more than " + shard.bytes, maxBatchBytes);
          }
        }
      }
    }
    List<Batch> batches = new ArrayList<>(shards.size());
    for (Map.Entry<Integer, Shard> e : shards.entrySet()) {
      ProduceRequest.Builder b = ProduceRequest.newBuilder();
      e.getValue().parts.values().forEach(b::addParts);
      ProduceRequest request = b.setProducerId(ContentHash.of(b)).setSequence(0).build();
      if (request.getSerializedSize() > maxBatchBytes) {
        throw tooBig(e.getValue(), Integer.toString(request.getSerializedSize()), maxBatchBytes);
      }
      batches.add(new Batch(e.getKey(), request, e.getValue().records));
    }
    return new ShardBatches(batches, rejected, firstProblem);
  }

  private static StatusRuntimeException tooBig(Shard shard, String size, int maxBatchBytes) {
    return Status.INVALID_ARGUMENT
        .withDescription(
            "the export's log records for "
                + (shard.parts.size() == 1
                    ? "stream " + shard.parts.keySet().iterator().next()
                    : "streams " + shard.parts.keySet())
                + " make a batch of "
                + size
                + " bytes (each record holds its log, resource and scope), over the limit of "
                + maxBatchBytes
                + " (log.max-batch-bytes); one export is appended per shard all or nothing, and"
                + " nothing was appended: lower the exporter's batch size")
        .asRuntimeException();
  }

  /** A record's size as {@code log.max-record-bytes} counts it: value + key + headers. */
  static long recordBytes(Record r) {
    long n = r.getValue().size() + r.getKey().size();
    for (Header h : r.getHeadersList()) {
      n += h.getKeyBytes().size() + h.getValue().size();
    }
    return n;
  }
}
