package io.raftlog.chaos;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.Record;
import io.raftlog.chaos.audit.StreamContent;
import io.raftlog.wire.WireLimits;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads one stream as one node serves it, page by page from offset 0, into a {@link StreamContent}:
 * each record's number in the stream, whether offsets were dense, a SHA-256 over every offset and
 * value. Runs on the caller's thread.
 */
final class ReplicaReader {
  private ReplicaReader() {}

  static StreamContent read(LogGrpc.LogBlockingStub node, String stream, Consistency consistency) {
    return read(node, stream, consistency, page -> {});
  }

  /**
   * The same, handing every page read to {@code pages} as well (the last one empty), on the
   * caller's thread: the run records its final reads in the history this way.
   */
  static StreamContent read(
      LogGrpc.LogBlockingStub node,
      String stream,
      Consistency consistency,
      Consumer<ConsumeResponse> pages) {
    MessageDigest sha = sha256();
    List<Long> seqs = new ArrayList<>();
    boolean dense = true;
    long offset = 0;
    while (true) {
      ConsumeResponse page =
          consume(
              node,
              ConsumeRequest.newBuilder()
                  .setStream(stream)
                  .setOffset(offset)
                  .setMaxRecords(WireLimits.MAX_RECORDS)
                  .setConsistency(consistency)
                  .build());
      pages.accept(page);
      if (page.getRecordsCount() == 0) {
        return new StreamContent(seqs, dense, HexFormat.of().formatHex(sha.digest()));
      }
      for (Record r : page.getRecordsList()) {
        dense &= r.getOffset() == offset;
        sha.update(longBytes(r.getOffset()));
        sha.update(r.getValue().asReadOnlyByteBuffer());
        Workload.Parsed p = Workload.parse(r.getValue());
        seqs.add(p == null || !p.stream().equals(stream) ? -1 : p.seq());
        offset = r.getOffset() + 1;
      }
    }
  }

  /**
   * One read, retried while the node answers UNAVAILABLE (a linearizable read during an election)
   * or not in time, for up to a minute.
   */
  private static ConsumeResponse consume(LogGrpc.LogBlockingStub node, ConsumeRequest request) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return node.withDeadlineAfter(30, TimeUnit.SECONDS).consume(request);
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if ((code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED)
            || System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static byte[] longBytes(long v) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
