package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.replication.ReplicationException;
import io.raftlog.replication.ReplicationException.Kind;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The statuses and words a call ends with, for each kind of failure. */
class ErrorsTest {

  private static void assertStatus(Status.Code code, String description, Throwable failure) {
    Status s = Errors.asStatus(failure).getStatus();
    assertEquals(code, s.getCode());
    assertEquals(description, s.getDescription());
  }

  private static ReplicationException raft(Kind kind) {
    return new ReplicationException(kind, "jraft says no");
  }

  @Test
  void raftFailuresByKind() {
    assertStatus(
        Status.Code.RESOURCE_EXHAUSTED,
        "the node's Raft apply queue is full (jraft says no); back off and retry",
        raft(Kind.OVERLOADED));
    assertStatus(
        Status.Code.UNAVAILABLE,
        "the node is shutting down; retry on another node",
        raft(Kind.SHUTTING_DOWN));
    assertStatus(
        Status.Code.UNAVAILABLE,
        "leadership changed before the batch committed (jraft says no); it may or may not be"
            + " appended: retry with the same producer_id and sequence",
        raft(Kind.LEADERSHIP_LOST));
    assertStatus(
        Status.Code.UNAVAILABLE,
        "cannot confirm the leader for a linearizable read (jraft says no); retry, or read with"
            + " consistency LOCAL",
        new CompletionException(raft(Kind.READ_BARRIER_FAILED)));
  }

  @Test
  void statusesPassAndOtherFailuresAreStorageOrInternal() {
    StatusRuntimeException given = Errors.invalid("bad");
    assertSame(given, Errors.asStatus(new CompletionException(given)));
    assertStatus(
        Status.Code.INTERNAL, "storage error: disk gone", new IllegalStateException("disk gone"));
    assertStatus(Status.Code.INTERNAL, "java.lang.Error: odd", new Error("odd"));
  }
}
