package io.raftlog.wire;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.Optional;

/**
 * A produce refused because a part's {@code expected_offset} is not its stream's next offset, as
 * the wire carries it: status {@code FAILED_PRECONDITION} with a message for people, and for
 * programs a {@code google.rpc.ErrorInfo} in the status details (reason {@link #REASON}, domain
 * {@link #DOMAIN}, metadata {@code stream}, {@code next_offset}, {@code expected_offset}). The node
 * writes it with {@link #asException}; clients read it back with {@link #of}. Immutable.
 *
 * @param stream the stream whose next offset was not the expected one
 * @param nextOffset the stream's next offset when the batch was refused
 * @param expectedOffset the offset the batch expected (a protobuf uint64, printed unsigned)
 */
public record ExpectedOffsetMismatch(String stream, long nextOffset, long expectedOffset) {
  /** {@code ErrorInfo.reason} of this refusal. */
  public static final String REASON = "EXPECTED_OFFSET_MISMATCH";

  /** {@code ErrorInfo.domain} of the refusals raftlog describes. */
  public static final String DOMAIN = "raftlog";

  private static final String STREAM = "stream";
  private static final String NEXT_OFFSET = "next_offset";
  private static final String EXPECTED_OFFSET = "expected_offset";

  /** What the status message says, e.g. for the CLI to print. */
  public String message() {
    return "stream '"
        + stream
        + "' is at offset "
        + nextOffset
        + ", not the expected "
        + Long.toUnsignedString(expectedOffset)
        + ": nothing was appended";
  }

  /** The status a node answers with: the message, and the detail in the trailers. */
  public StatusRuntimeException asException() {
    ErrorInfo info =
        ErrorInfo.newBuilder()
            .setReason(REASON)
            .setDomain(DOMAIN)
            .putMetadata(STREAM, stream)
            .putMetadata(NEXT_OFFSET, Long.toString(nextOffset))
            .putMetadata(EXPECTED_OFFSET, Long.toUnsignedString(expectedOffset))
            .build();
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.FAILED_PRECONDITION.value())
            .setMessage(message())
            .addDetails(Any.pack(info))
            .build());
  }

  /**
   * The mismatch a failure carries: the first gRPC status in {@code t}'s cause chain whose trailers
   * hold this detail (a client may wrap the call's exception in its own); empty when none does.
   */
  public static Optional<ExpectedOffsetMismatch> of(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      com.google.rpc.Status details = null;
      if (c instanceof StatusRuntimeException e) {
        details = details(e.getStatus(), e.getTrailers());
      } else if (c instanceof StatusException e) {
        details = details(e.getStatus(), e.getTrailers());
      }
      if (details != null) {
        for (Any any : details.getDetailsList()) {
          Optional<ExpectedOffsetMismatch> found = parse(any);
          if (found.isPresent()) {
            return found;
          }
        }
      }
    }
    return Optional.empty();
  }

  /** The status details in {@code trailers} ({@code grpc-status-details-bin}), or null. */
  private static com.google.rpc.Status details(Status status, Metadata trailers) {
    if (trailers == null) {
      return null;
    }
    try {
      return StatusProto.fromStatusAndTrailers(status, trailers);
    } catch (IllegalArgumentException e) {
      return null; // details of another code than the status's own: not a node's answer
    }
  }

  private static Optional<ExpectedOffsetMismatch> parse(Any any) {
    if (!any.is(ErrorInfo.class)) {
      return Optional.empty();
    }
    ErrorInfo info;
    try {
      info = any.unpack(ErrorInfo.class);
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
    Map<String, String> m = info.getMetadataMap();
    if (!REASON.equals(info.getReason())
        || !DOMAIN.equals(info.getDomain())
        || !m.containsKey(STREAM)
        || !m.containsKey(NEXT_OFFSET)
        || !m.containsKey(EXPECTED_OFFSET)) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new ExpectedOffsetMismatch(
              m.get(STREAM),
              Long.parseLong(m.get(NEXT_OFFSET)),
              Long.parseUnsignedLong(m.get(EXPECTED_OFFSET))));
    } catch (NumberFormatException e) {
      return Optional.empty(); // not written by a raftlog node: no detail to go by
    }
  }
}
