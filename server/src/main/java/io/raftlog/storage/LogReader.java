package io.raftlog.storage;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the service reads of one shard replica's applied state: a stream's metadata, a page of the
 * streams, a stream's records. Read-only: the state changes only by applying committed Raft
 * entries, which replication does. Every method may be called on any thread; each sees one
 * consistent state.
 *
 * <p>The stream {@code default} always exists: before its first write it has offsets 0 and a
 * creation time of 0, and it is not listed.
 */
public interface LogReader {

  /** The stream's metadata; empty if it does not exist. */
  Optional<StreamMeta> stream(String name);

  /** One past the offset of the stream's last record; 0 if it does not exist. */
  default long nextOffset(String stream) {
    return stream(stream).map(StreamMeta::nextOffset).orElse(0L);
  }

  /**
   * Streams whose name starts with {@code prefix} and sorts after {@code startAfter} (empty: from
   * the first), in name order, at most {@code limit}. Only streams with stored metadata: {@code
   * default} appears once it was written to.
   */
  List<NamedStream> streams(String prefix, String startAfter, int limit);

  /**
   * Records of {@code stream} from {@code offset} on: at most {@code maxRecords}, and no more than
   * {@code maxBytes} of encoded records unless the first record alone is larger; none from an
   * offset at or past the stream's end. Sees one consistent state of the stream (records and next
   * offset), even while it is being deleted and created again. Empty if the stream does not exist.
   */
  Optional<StoredRecords> read(String stream, long offset, int maxRecords, int maxBytes);

  /**
   * The offset of the first record of {@code stream} at or past its first offset whose timestamp is
   * at or after {@code timestampMs} (where timestamps go back, the first from which the stream's
   * greatest timestamp so far reaches it); the stream's next offset if none. Found through the
   * stream's time index: one seek and one stored chunk walked. Empty if the stream does not exist.
   */
  OptionalLong offsetAtTime(String stream, long timestampMs);

  /** A named consumer's committed position in {@code stream}; empty if it never committed. */
  Optional<ConsumerPosition> consumer(String stream, String consumer);

  /**
   * The named consumers of {@code stream} whose name sorts after {@code startAfter} (empty: from
   * the first), in name order, at most {@code limit}.
   */
  List<ConsumerPosition> consumers(String stream, String startAfter, int limit);
}
