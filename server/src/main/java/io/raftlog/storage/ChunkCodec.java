package io.raftlog.storage;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The encoding of one stored chunk: consecutive records of one stream, each encoded as the {@code
 * records} field (1) of a {@code ConsumeResponse}, tag and length then the record's bytes, so that
 * a read hands a chunk's bytes to gRPC as they are. {@link Writer} builds a chunk (for {@link
 * StoreBatch}, on the apply thread); {@link #span} walks one (for {@link RocksLogStore#read} on the
 * read threads, and the fuzz tests).
 *
 * <p>Walking is pure: no I/O, no allocation per record (record bytes are only skipped, never
 * copied), so a corrupt or truncated chunk, or one declaring absurd lengths, ends in a {@link
 * StoreException} naming the offset and never in an out-of-bounds read or an allocation of the
 * declared size.
 */
final class ChunkCodec {
  private static final int RECORDS_FIELD = ConsumeResponse.RECORDS_FIELD_NUMBER;

  /** The records field of {@code ConsumeResponse}, length-delimited. */
  static final int RECORDS_FIELD_TAG = (RECORDS_FIELD << 3) | 2;

  /** A chunk is closed once it holds this many bytes; one record alone may exceed it. */
  static final int CHUNK_BYTES = 256 << 10;

  private ChunkCodec() {}

  /** One open chunk being filled; reused for the next once its bytes are taken. One thread. */
  static final class Writer {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(CHUNK_BYTES + (64 << 10));
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes, 8192);

    void add(Record record) {
      try {
        out.writeMessage(RECORDS_FIELD, record);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e); // writes to memory: cannot happen
      }
    }

    boolean isEmpty() {
      return bytes.size() == 0;
    }

    /** Whether the chunk reached {@link #CHUNK_BYTES} and should be closed. */
    boolean isFull() {
      return bytes.size() >= CHUNK_BYTES;
    }

    /** The chunk's bytes; the writer is then empty, ready for the next chunk. */
    byte[] take() {
      byte[] chunk = bytes.toByteArray();
      bytes.reset();
      return chunk;
    }

    /** Drops what was added since the last {@link #take}. */
    void clear() {
      bytes.reset();
    }
  }

  /**
   * The part of a chunk a read takes: bytes {@code from} (inclusive) to {@code to} (exclusive), the
   * {@code count} records in them, and whether the read is {@code full} (it stopped inside this
   * chunk on its record or byte budget). {@code from} is -1 when the chunk gives no record.
   */
  record Span(int from, int to, int count, long bytes, boolean full) {}

  /**
   * The records of {@code chunk} (whose first record has offset {@code chunkOffset}) from {@code
   * offset} on, within the budget left: at most {@code maxRecords - countSoFar} more, and no more
   * than {@code maxBytes} in all, {@code bytesSoFar} included, unless the read has no record yet.
   */
  static Span span(
      byte[] chunk,
      long chunkOffset,
      long offset,
      int countSoFar,
      long bytesSoFar,
      int maxRecords,
      long maxBytes) {
    CodedInputStream in = CodedInputStream.newInstance(chunk);
    int from = -1;
    int to = 0;
    int count = countSoFar;
    long bytes = bytesSoFar;
    long o = chunkOffset;
    try {
      for (; !in.isAtEnd(); o++) {
        int start = in.getTotalBytesRead();
        int tag = in.readTag();
        if (tag != RECORDS_FIELD_TAG) {
          throw corrupt(chunkOffset, o, "a tag of " + tag + " where a record should start", null);
        }
        int length = in.readRawVarint32();
        if (length < 0 || length > chunk.length - in.getTotalBytesRead()) {
          throw corrupt(
              chunkOffset,
              o,
              "a record declared as "
                  + Integer.toUnsignedString(length)
                  + " bytes with only "
                  + (chunk.length - in.getTotalBytesRead())
                  + " left in the chunk",
              null);
        }
        in.skipRawBytes(length);
        int stop = in.getTotalBytesRead();
        if (Long.compareUnsigned(o, offset) < 0) {
          continue;
        }
        if (count >= maxRecords || (count > 0 && bytes + (stop - start) > maxBytes)) {
          return new Span(from, to, count - countSoFar, bytes, true);
        }
        from = from < 0 ? start : from;
        to = stop;
        bytes += stop - start;
        count++;
      }
    } catch (IOException e) {
      throw corrupt(chunkOffset, o, "bytes that are not a record (" + e.getMessage() + ")", e);
    }
    return new Span(from, to, count - countSoFar, bytes, false);
  }

  private static final int TIMESTAMP_TAG = (Record.TIMESTAMP_MS_FIELD_NUMBER << 3);

  /**
   * The offset of the first record of {@code chunk} (whose first record has offset {@code
   * chunkOffset}) whose timestamp is at or after {@code timestampMs}; one past the chunk's last
   * record if none. Reads each record's tags up to its timestamp, copies nothing.
   */
  static long firstAtOrAfter(byte[] chunk, long chunkOffset, long timestampMs) {
    CodedInputStream in = CodedInputStream.newInstance(chunk);
    long o = chunkOffset;
    try {
      for (; !in.isAtEnd(); o++) {
        int tag = in.readTag();
        if (tag != RECORDS_FIELD_TAG) {
          throw corrupt(chunkOffset, o, "a tag of " + tag + " where a record should start", null);
        }
        int limit = in.pushLimit(in.readRawVarint32());
        long ts = 0;
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
          if (t == TIMESTAMP_TAG) {
            ts = in.readInt64();
          } else {
            in.skipField(t);
          }
        }
        in.popLimit(limit);
        if (ts >= timestampMs) {
          return o;
        }
      }
    } catch (IOException e) {
      throw corrupt(chunkOffset, o, "bytes that are not a record (" + e.getMessage() + ")", e);
    }
    return o;
  }

  private static StoreException corrupt(long chunkOffset, long offset, String what, Throwable e) {
    return new StoreException(
        "the stored chunk from offset "
            + Long.toUnsignedString(chunkOffset)
            + " is corrupt: "
            + what
            + " at offset "
            + Long.toUnsignedString(offset),
        e);
  }
}
