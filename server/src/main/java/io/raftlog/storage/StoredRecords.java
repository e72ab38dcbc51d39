package io.raftlog.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import java.io.IOException;
import java.util.List;

/**
 * Records read from the store, still in their stored encoding: each one as field 1 of a {@link
 * ConsumeResponse} ({@code records}), in one or more parts (slices of stored chunks, not copies);
 * with the stream's first and next offsets as of the same read.
 */
public record StoredRecords(List<ByteString> parts, int count, long firstOffset, long nextOffset) {

  /** Records of a stream that has kept every record since offset 0. */
  public StoredRecords(List<ByteString> parts, int count, long nextOffset) {
    this(parts, count, 0, nextOffset);
  }

  /** No records, of a stream whose offsets are {@code firstOffset .. nextOffset - 1}. */
  static StoredRecords none(long firstOffset, long nextOffset) {
    return new StoredRecords(List.of(), 0, firstOffset, nextOffset);
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /**
   * These records and the stream's next offset, decoded into a consume answer (the node sends the
   * parts as they are instead; this is for tools and tests). The records' values alias the parts.
   */
  public ConsumeResponse toResponse() {
    ConsumeResponse.Builder response = ConsumeResponse.newBuilder();
    try {
      for (ByteString part : parts) {
        CodedInputStream in = part.newCodedInput();
        in.enableAliasing(true);
        response.mergeFrom(in);
      }
    } catch (IOException e) {
      throw new StoreException("a stored record is corrupt", e);
    }
    return response.setNextOffset(nextOffset).build();
  }

  /** Decodes every record; for callers that need them one by one. */
  public List<Record> records() {
    return toResponse().getRecordsList();
  }
}
