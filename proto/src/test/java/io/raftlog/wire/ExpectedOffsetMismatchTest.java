package io.raftlog.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The detail reads back as it was written, also from under a client's own exception. */
class ExpectedOffsetMismatchTest {
  @Test
  void theDetailReadsBackFromTheExceptionAndFromUnderAWrapper() {
    ExpectedOffsetMismatch m = new ExpectedOffsetMismatch("orders", 4, 3);
    StatusRuntimeException e = m.asException();
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals(
        "stream 'orders' is at offset 4, not the expected 3: nothing was appended",
        e.getStatus().getDescription());
    assertEquals(Optional.of(m), ExpectedOffsetMismatch.of(e));
    RuntimeException wrapped =
        new RuntimeException("produce failed", e.getStatus().withCause(e).asException());
    assertEquals(Optional.of(m), ExpectedOffsetMismatch.of(wrapped));
  }

  @Test
  void aStatusWithoutTheDetailHasNone() {
    assertEquals(
        Optional.empty(),
        ExpectedOffsetMismatch.of(
            Status.FAILED_PRECONDITION.withDescription("stream 'a' is at offset 2").asException()));
  }
}
