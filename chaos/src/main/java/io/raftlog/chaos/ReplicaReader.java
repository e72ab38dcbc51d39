package io.raftlog.chaos;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.api.v1.Record;
import io.raftlog.chaos.audit.StreamContent;
import io.raftlog.wire.WireLimits;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reads one stream as one node serves it, page by page from its first offset (records below it were
 * truncated or dropped by retention), into a {@link StreamContent}: the first offset, each record's
 * number in the stream, whether offsets were dense from the first, a SHA-256 over every offset and
 * value. Runs on the caller's thread.
 */
final class ReplicaReader {
  private ReplicaReader() {}

  /** Where the pages of a read go as they come: the run records its final reads this way. */
  @FunctionalInterface
  interface Pages {
    /**
     * One page ({@code only}: the first of the read) of the stream whose first offset is {@code
     * first}; the last page of every read is empty.
     */
    void accept(long first, ConsumeResponse page, boolean only);
  }

  static StreamContent read(LogGrpc.LogBlockingStub node, String stream, Consistency consistency) {
    return read(node, stream, consistency, (first, page, only) -> {});
  }

  /**
   * The same, handing every page read to {@code pages} as well (the last one empty), on the
   * caller's thread.
   */
  static StreamContent read(
      LogGrpc.LogBlockingStub node, String stream, Consistency consistency, Pages pages) {
    MessageDigest sha = sha256();
    List<Long> seqs = new ArrayList<>();
    boolean dense = true;
    long first = firstOffset(node, stream, consistency);
    long offset = first;
    while (true) {
      ConsumeResponse page =
          consume(
              node,
              ConsumeRequest.newBuilder()
                  .setStream(stream)
                  .setOffset(offset)
                  .setMaxRecords(WireLimits.MAX_RECORDS)
                  .setConsistency(consistency)
                  .setReset(OffsetReset.OFFSET_RESET_EARLIEST)
                  .build());
      if (seqs.isEmpty()) {
        // the first offset may have moved on since it was asked: the read starts where it is now
        first =
            page.getRecordsCount() > 0
                ? page.getRecords(0).getOffset()
                : Math.max(first, page.getNextOffset());
        offset = first;
      }
      pages.accept(first, page, seqs.isEmpty());
      if (page.getRecordsCount() == 0) {
        return new StreamContent(first, seqs, dense, HexFormat.of().formatHex(sha.digest()));
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

  /** The stream's first offset as the node serves it; 0 for a stream it does not know. */
  private static long firstOffset(
      LogGrpc.LogBlockingStub node, String stream, Consistency consistency) {
    DescribeStreamRequest request =
        DescribeStreamRequest.newBuilder().setStream(stream).setConsistency(consistency).build();
    try {
      return retried(() -> node.withDeadlineAfter(30, TimeUnit.SECONDS).describeStream(request))
          .getFirstOffset();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return 0;
      }
      throw e;
    }
  }

  /**
   * One read, retried while the node answers UNAVAILABLE (a linearizable read during an election)
   * or not in time, for up to a minute.
   */
  private static ConsumeResponse consume(LogGrpc.LogBlockingStub node, ConsumeRequest request) {
    return retried(() -> node.withDeadlineAfter(30, TimeUnit.SECONDS).consume(request));
  }

  /** {@code call}, retried as {@link #consume} says. */
  private static <T> T retried(Supplier<T> call) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return call.get();
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
