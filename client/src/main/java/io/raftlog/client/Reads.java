package io.raftlog.client;

import static io.raftlog.client.StreamNameCheck.checkStream;

import io.grpc.Status;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.OffsetReset;

/**
 * The unary reads of records behind {@link RaftlogClient#consume} and {@link
 * RaftlogClient#startOffset} (which document them): one page of a stream, and the offset a {@link
 * SubscribeOptions} start names. One per client, which owns it; it holds no state of its own, so it
 * runs on whichever thread calls the client.
 */
final class Reads {
  private final UnaryCalls calls;
  private final StreamAdmin streams;

  Reads(UnaryCalls calls, StreamAdmin streams) {
    this.calls = calls;
    this.streams = streams;
  }

  ConsumeResponse consume(
      String stream, long offset, int max, Consistency consistency, OffsetReset reset) {
    checkStream(stream);
    if (offset < 0 || max < 0) {
      throw new IllegalArgumentException("offset and max must be >= 0");
    }
    ConsumeRequest request =
        ConsumeRequest.newBuilder()
            .setStream(stream)
            .setOffset(offset)
            .setMaxRecords(max)
            .setConsistency(consistency)
            .setReset(reset)
            .build();
    // A LOCAL read may land on a node that lags behind the one that answered the last page: past
    // its end is then no answer yet, so ask the other nodes before saying OUT_OF_RANGE.
    boolean local = consistency == Consistency.LOCAL;
    int nodesToAsk = local ? calls.nodeCount() : 1;
    for (int asked = 1; ; asked++) {
      try {
        return calls.call(
            "consume of stream " + stream + " from offset " + offset,
            stream,
            local,
            stub -> stub.consume(request));
      } catch (RaftlogException e) {
        if (e.code() != Status.Code.OUT_OF_RANGE || asked >= nodesToAsk) {
          throw e;
        }
      }
    }
  }

  long startOffset(String stream, SubscribeOptions how) {
    switch (how.start()) {
      case OFFSET:
        return how.value();
      case EARLIEST:
        return streams.describe(stream).getFirstOffset();
      case LATEST:
        return streams.describe(stream).getNextOffset();
      default:
        // A time: the stream's time index finds the first record at or after it, one record read.
        ConsumeRequest request =
            ConsumeRequest.newBuilder()
                .setStream(checkStream(stream))
                .setFromTimestampMs(how.value())
                .setMaxRecords(1)
                .setConsistency(how.consistency())
                .build();
        ConsumeResponse first =
            calls.call(
                "find the offset of " + how + " in stream " + stream,
                stream,
                how.consistency() == Consistency.LOCAL,
                stub -> stub.consume(request));
        return first.getRecordsCount() > 0
            ? first.getRecords(0).getOffset()
            : first.getNextOffset();
    }
  }
}
