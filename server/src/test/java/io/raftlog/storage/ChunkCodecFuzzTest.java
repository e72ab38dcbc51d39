package io.raftlog.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import java.util.List;

/**
 * Fuzzes the chunk reader on corrupt, truncated and hostile chunks: it returns a span inside the
 * chunk, or throws {@link StoreException}, never an out-of-bounds, null-pointer or out-of-memory
 * error (a declared length is checked against the bytes left before anything is read). Seeds:
 * {@code src/test/resources/io/raftlog/storage/ChunkCodecFuzzTestInputs/}.
 */
class ChunkCodecFuzzTest {

  /** Any bytes as a chunk, read with any budget. */
  @FuzzTest(maxDuration = "2m")
  void anyBytes(FuzzedDataProvider data) {
    long chunkOffset = data.consumeLong(0, 1L << 40);
    long offset = chunkOffset + data.consumeLong(0, 20);
    int maxRecords = data.consumeInt(1, 10_000);
    int maxBytes = data.consumeInt(1, 1 << 22);
    byte[] chunk = data.consumeRemainingAsBytes();
    checkSpan(chunk, chunkOffset, offset, maxRecords, maxBytes);
  }

  /** A valid chunk, then cut short or with one byte changed. */
  @FuzzTest(maxDuration = "2m")
  void damagedValidChunk(FuzzedDataProvider data) {
    int n = data.consumeInt(1, 20);
    ChunkCodec.Writer writer = new ChunkCodec.Writer();
    for (int i = 0; i < n; i++) {
      writer.add(
          Record.newBuilder()
              .setOffset(i)
              .setValue(ByteString.copyFrom(data.consumeBytes(data.consumeInt(0, 300))))
              .build());
    }
    byte[] chunk = writer.take();
    ChunkCodec.Span whole = ChunkCodec.span(chunk, 0, 0, 0, 0, 10_000, Long.MAX_VALUE);
    assertEquals(n, whole.count());
    assertEquals(chunk.length, whole.to());
    if (data.consumeBoolean()) {
      chunk = java.util.Arrays.copyOf(chunk, data.consumeInt(0, chunk.length));
    } else {
      chunk[data.consumeInt(0, chunk.length - 1)] = data.consumeByte();
    }
    checkSpan(
        chunk, 0, data.consumeLong(0, n), data.consumeInt(1, 100), data.consumeInt(1, 1 << 20));
  }

  /**
   * The stored stream meta: bytes of one of its three lengths (before retention, with it, with the
   * running max timestamp) decode, and encode again to what decodes the same; anything else is a
   * StoreException.
   */
  @FuzzTest(maxDuration = "1m")
  void streamMeta(byte[] bytes) {
    boolean known =
        bytes.length == StreamMeta.OLD_ENCODED_BYTES
            || bytes.length == StreamMeta.RETENTION_ENCODED_BYTES
            || bytes.length == StreamMeta.ENCODED_BYTES;
    try {
      StreamMeta m = StreamMeta.decode(bytes);
      assertTrue(known, bytes.length + " bytes decoded");
      assertEquals(m, StreamMeta.decode(m.encode()));
    } catch (StoreException e) {
      assertTrue(!known, e.getMessage());
    }
  }

  /** The walk by time over any bytes ends in an offset within the chunk or a StoreException. */
  @FuzzTest(maxDuration = "30s")
  void timeWalk(FuzzedDataProvider data) {
    long ts = data.consumeLong();
    byte[] chunk = data.consumeRemainingAsBytes();
    try {
      long o = ChunkCodec.firstAtOrAfter(chunk, 100, ts);
      assertTrue(o >= 100 && o <= 100 + chunk.length, "offset " + o);
    } catch (StoreException e) {
      assertTrue(e.getMessage().startsWith("the stored chunk from offset "), e.getMessage());
    }
  }

  private static void checkSpan(
      byte[] chunk, long chunkOffset, long offset, int maxRecords, int maxBytes) {
    ChunkCodec.Span span;
    try {
      span = ChunkCodec.span(chunk, chunkOffset, offset, 0, 0, maxRecords, maxBytes);
    } catch (StoreException e) {
      assertTrue(e.getMessage().startsWith("the stored chunk from offset "), e.getMessage());
      return;
    }
    assertTrue(span.count() >= 0 && span.count() <= maxRecords, span.toString());
    if (span.count() == 0) {
      assertEquals(-1, span.from(), span.toString());
      return;
    }
    assertTrue(0 <= span.from() && span.from() < span.to() && span.to() <= chunk.length, span + "");
    assertTrue(span.count() == 1 || span.bytes() <= maxBytes, span.toString());
    // What the reader hands to gRPC parses as records: the count it claims.
    StoredRecords records =
        new StoredRecords(
            List.of(ByteString.copyFrom(chunk, span.from(), span.to() - span.from())),
            span.count(),
            0);
    try {
      assertEquals(span.count(), records.records().size());
    } catch (StoreException corruptRecord) {
      // Record bytes are handed on undecoded; a corrupt record is found where it is decoded.
    }
  }
}
