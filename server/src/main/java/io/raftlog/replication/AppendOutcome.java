package io.raftlog.replication;

import io.raftlog.storage.ConsumerPosition;
import io.raftlog.storage.StreamMeta;
import io.raftlog.wire.ExpectedOffsetMismatch;
import java.util.List;

/**
 * What applying one shard entry (an append, a create or a delete) did; the same on every replica.
 * Told to the leader's caller through the entry's closure.
 */
public sealed interface AppendOutcome {

  /** Where one part of an append went: offsets {@code baseOffset .. baseOffset + count - 1}. */
  record PartOffsets(String stream, long baseOffset, int count) {}

  /**
   * Every part was appended, in the batch's order; or, with {@code duplicate}, had been by an
   * earlier copy of the batch (a retry), and these are that copy's offsets.
   */
  record Appended(List<PartOffsets> parts, boolean duplicate) implements AppendOutcome {
    public Appended {
      parts = List.copyOf(parts);
    }
  }

  /** The stream was created, empty. */
  record Created(StreamMeta meta) implements AppendOutcome {}

  /** The stream was deleted; it had held offsets up to {@code nextOffset - 1}. */
  record Deleted(long nextOffset) implements AppendOutcome {}

  /** The stream's retention was changed; {@code meta} is the stream after the change. */
  record Updated(StreamMeta meta) implements AppendOutcome {}

  /**
   * The stream's records below {@code firstOffset} are gone (or were already): its offsets are now
   * {@code firstOffset .. nextOffset - 1}.
   */
  record Truncated(long firstOffset, long nextOffset) implements AppendOutcome {}

  /** A named consumer's position was stored; {@code meta} is its stream's as of the commit. */
  record Committed(ConsumerPosition position, StreamMeta meta) implements AppendOutcome {}

  /** A named consumer was forgotten; it had committed {@code committedOffset}. */
  record ConsumerDeleted(long committedOffset) implements AppendOutcome {}

  /**
   * Nothing of the entry was applied, for a reason the caller must act on; {@code mismatch} is the
   * part whose expected offset was not its stream's next offset, null for any other reason.
   */
  record Rejected(Kind kind, String reason, ExpectedOffsetMismatch mismatch)
      implements AppendOutcome {
    public Rejected(Kind kind, String reason) {
      this(kind, reason, null);
    }

    /** A stream not at the offset a part expected (PRECONDITION). */
    public Rejected(ExpectedOffsetMismatch mismatch) {
      this(Kind.PRECONDITION, mismatch.message(), mismatch);
    }
  }

  /** Why an entry was rejected; the service maps each to a status code. */
  enum Kind {
    /**
     * The state does not allow it: an idempotence sequence out of order or too old, or a stream not
     * at its expected offset (FAILED_PRECONDITION).
     */
    PRECONDITION,
    /** A stream it needs does not exist (NOT_FOUND). */
    NOT_FOUND,
    /** The stream to create exists (ALREADY_EXISTS). */
    ALREADY_EXISTS,
    /**
     * An offset past the stream's next offset: a truncation or a consumer commit beyond it
     * (OUT_OF_RANGE; it may become valid once the stream grows).
     */
    OUT_OF_RANGE,
    /**
     * The entry names a stream that breaks the naming rule (INVALID_ARGUMENT). The service checks
     * names first, so this only guards the store's key layout against a bug.
     */
    INVALID
  }
}
