package io.raftlog.collector;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.otlp.LogValues;
import io.raftlog.testkit.Cluster;
import java.util.ArrayList;
import java.util.List;

/** Reads an OTLP stream back whole through the node's own Consume, as any client would. */
final class StoredLogs {
  private StoredLogs() {}

  /** Every record of {@code stream}, read on node {@code id}; none when it does not exist. */
  static List<Record> records(Cluster cluster, String id, String stream) {
    List<Record> out = new ArrayList<>();
    long offset = 0;
    while (true) {
      ConsumeResponse r;
      try {
        r =
            cluster
                .blocking(id)
                .consume(
                    ConsumeRequest.newBuilder()
                        .setStream(stream)
                        .setOffset(offset)
                        .setMaxRecords(10_000)
                        .build());
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND && offset == 0) {
          return out;
        }
        throw e;
      }
      if (r.getRecordsCount() == 0) {
        return out;
      }
      out.addAll(r.getRecordsList());
      offset = r.getNextOffset();
    }
  }

  /** The value of an OTLP record: a ResourceLogs holding one log record. */
  static ResourceLogs resourceLogs(Record r) {
    if (!LogValues.OTLP.equals(LogValues.contentType(r))) {
      throw new AssertionError("not an OTLP log record: " + r);
    }
    try {
      return ResourceLogs.parseFrom(r.getValue());
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("an OTLP record whose value does not parse", e);
    }
  }

  /** The one log record an OTLP record keeps. */
  static LogRecord log(Record r) {
    return resourceLogs(r).getScopeLogs(0).getLogRecords(0);
  }

  /** The string bodies of {@code stream}'s log records, in stream order. */
  static List<String> bodies(Cluster cluster, String id, String stream) {
    return records(cluster, id, stream).stream()
        .map(r -> log(r).getBody().getStringValue())
        .toList();
  }
}
