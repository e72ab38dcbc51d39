package io.raftlog.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.junit.jupiter.api.Test;

/**
 * The ingest's gRPC codes as OTLP/HTTP answers: an exporter retries exactly 429, 502, 503 and 504,
 * so a code OTLP/gRPC calls retryable must land on one of them and every other code must not, and a
 * RetryInfo becomes the Retry-After an HTTP exporter honours.
 */
class OtlpHttpFailureTest {
  static StatusRuntimeException withRetryInfo(Status.Code code, long seconds, int nanos) {
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage("the node is busy")
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(Duration.newBuilder().setSeconds(seconds).setNanos(nanos))
                        .build()))
            .build());
  }

  @Test
  void resourceExhaustedIsRetryableOnlyWithARetryInfo() {
    OtlpHttpFailure throttled =
        OtlpHttpFailure.of(withRetryInfo(Status.Code.RESOURCE_EXHAUSTED, 1, 0));
    assertEquals(429, throttled.httpStatus());
    assertEquals(1, throttled.retryAfterSeconds());
    assertEquals("the node is busy", throttled.body().getMessage());
    assertEquals(1, throttled.body().getDetailsCount());

    OtlpHttpFailure full =
        OtlpHttpFailure.of(Status.RESOURCE_EXHAUSTED.withDescription("no").asRuntimeException());
    assertEquals(400, full.httpStatus());
    assertEquals(0, full.retryAfterSeconds());
  }

  @Test
  void retryAfterRoundsTheDelayUpToWholeSeconds() {
    assertEquals(
        2,
        OtlpHttpFailure.of(withRetryInfo(Status.Code.UNAVAILABLE, 1, 500_000)).retryAfterSeconds());
    assertEquals(
        1, OtlpHttpFailure.of(withRetryInfo(Status.Code.UNAVAILABLE, 0, 1)).retryAfterSeconds());
  }

  @Test
  void theRetryableGrpcCodesAreRetryableHttpStatusesAndNoOtherIs() {
    for (Status.Code code : Status.Code.values()) {
      if (code == Status.Code.OK) {
        continue;
      }
      OtlpHttpFailure f = OtlpHttpFailure.of(Status.fromCode(code).asRuntimeException());
      int expected =
          switch (code) {
            case CANCELLED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS -> 503;
            case DEADLINE_EXCEEDED -> 504;
            case INTERNAL, UNKNOWN -> 500;
            case PERMISSION_DENIED -> 403;
            case UNAUTHENTICATED -> 401;
            default -> 400;
          };
      assertEquals(expected, f.httpStatus(), code.toString());
      assertEquals(code.value(), f.body().getCode(), code.toString());
      assertEquals(code.name(), f.body().getMessage(), "a status without description: its code");
    }
  }
}
