package io.raftlog.collector;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * A failed OTLP/HTTP request as the spec's "OTLP/HTTP Response / Failures" wants it: an HTTP status
 * that tells the exporter whether to retry (only 429, 502, 503 and 504 are retried), a {@code
 * google.rpc.Status} body whose message is for a person, and a {@code Retry-After} in seconds when
 * the status carries a {@code google.rpc.RetryInfo}.
 *
 * <p>The gRPC code of the ingest maps as OTLP/gRPC defines its retryable codes: those the gRPC
 * table marks retryable become 503 ({@code DEADLINE_EXCEEDED}: 504), {@code RESOURCE_EXHAUSTED}
 * becomes 429 when it carries a RetryInfo (the spec makes it retryable only then) and 400 without
 * one; {@code INTERNAL} and {@code UNKNOWN} (a fault of the node, not of the request) 500; {@code
 * PERMISSION_DENIED} (the ACL) 403; every other code 400, not to be retried.
 */
record OtlpHttpFailure(int httpStatus, com.google.rpc.Status body, long retryAfterSeconds) {

  /** A failure this handler finds itself (method, media type, size, decoding). */
  static OtlpHttpFailure of(int httpStatus, Status.Code code, String message) {
    return new OtlpHttpFailure(
        httpStatus,
        com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message).build(),
        0);
  }

  /** Retryable: 503 with a Retry-After. */
  static OtlpHttpFailure retryAfter(long seconds, String message) {
    return new OtlpHttpFailure(
        503,
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.UNAVAILABLE.value())
            .setMessage(message)
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(
                            com.google.protobuf.Duration.newBuilder().setSeconds(seconds))
                        .build()))
            .build(),
        seconds);
  }

  /** What the ingest's failure {@code e} answers over HTTP. */
  static OtlpHttpFailure of(StatusRuntimeException e) {
    Status s = e.getStatus();
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    com.google.rpc.Status body =
        (details != null ? details.toBuilder() : com.google.rpc.Status.newBuilder())
            .setCode(s.getCode().value())
            .setMessage(s.getDescription() != null ? s.getDescription() : s.getCode().name())
            .build();
    long retryAfter = retryAfterSeconds(body);
    int http =
        switch (e.getStatus().getCode()) {
          case CANCELLED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS -> 503;
          case DEADLINE_EXCEEDED -> 504;
          case RESOURCE_EXHAUSTED -> retryAfter > 0 ? 429 : 400;
          case INTERNAL, UNKNOWN -> 500;
          case PERMISSION_DENIED -> 403; // the ACL grants anonymous no produce here
          case UNAUTHENTICATED -> 401;
          default -> 400;
        };
    boolean retried = http == 429 || http == 503 || http == 504; // the statuses exporters retry
    return new OtlpHttpFailure(http, body, retried ? retryAfter : 0);
  }

  /** The body without its details: for an encoder that cannot print one of them. */
  OtlpHttpFailure withoutDetails() {
    return new OtlpHttpFailure(
        httpStatus, body.toBuilder().clearDetails().build(), retryAfterSeconds);
  }

  /** The RetryInfo's delay rounded up to whole seconds (Retry-After counts seconds); 0: none. */
  private static long retryAfterSeconds(com.google.rpc.Status s) {
    for (Any detail : s.getDetailsList()) {
      if (detail.is(RetryInfo.class)) {
        try {
          com.google.protobuf.Duration d = detail.unpack(RetryInfo.class).getRetryDelay();
          return Math.max(1, d.getSeconds() + (d.getNanos() > 0 ? 1 : 0));
        } catch (InvalidProtocolBufferException ignored) {
          return 1; // a RetryInfo we cannot read still says "retry"
        }
      }
    }
    return 0;
  }
}
