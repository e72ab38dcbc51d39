package io.raftlog.testkit;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import java.util.ArrayList;
import java.util.List;

/** Small builders and readers of records for tests: batches, idempotent batches, a whole log. */
public final class Records {
  private Records() {}

  public static ProduceRequest batch(String... values) {
    ProduceRequest.Builder b = ProduceRequest.newBuilder();
    for (String v : values) {
      b.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(v)));
    }
    return b.build();
  }

  public static ProduceRequest idempotent(long producerId, long sequence, String... values) {
    return batch(values).toBuilder().setProducerId(producerId).setSequence(sequence).build();
  }

  /** Every record's value, read from {@code stub}'s node with the given consistency. */
  public static List<String> readAll(LogGrpc.LogBlockingStub stub, Consistency consistency) {
    List<String> out = new ArrayList<>();
    long offset = 0;
    while (true) {
      var resp =
          stub.consume(
              ConsumeRequest.newBuilder()
                  .setOffset(offset)
                  .setMaxRecords(10_000)
                  .setConsistency(consistency)
                  .build());
      if (resp.getRecordsCount() == 0) {
        return out;
      }
      for (Record r : resp.getRecordsList()) {
        if (r.getOffset() != offset) {
          throw new AssertionError("expected offset " + offset + " but read " + r.getOffset());
        }
        out.add(r.getValue().toStringUtf8());
        offset++;
      }
    }
  }
}
