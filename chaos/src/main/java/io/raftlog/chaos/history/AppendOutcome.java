package io.raftlog.chaos.history;

import io.grpc.Status;
import io.raftlog.client.RaftlogException;
import java.util.Set;

/**
 * Whether a failed append is {@code fail} (it certainly did not happen) or {@code unknown} (it may
 * have): the rule the history's writer and the checker agree on.
 *
 * <p>{@code fail} only when:
 *
 * <ul>
 *   <li>{@code send} threw: the record never left the caller (bad name, buffer full past the max
 *       block time, no slot map, producer closed); or
 *   <li>the cluster answered {@code INVALID_ARGUMENT} or {@code NOT_FOUND}: the node checks these
 *       before appending, and a batch is appended all or nothing, so no attempt of it was appended
 *       (the same batch is refused the same way on every attempt).
 * </ul>
 *
 * <p>Everything else is {@code unknown}: {@code DEADLINE_EXCEEDED} (the client gave up retrying; an
 * attempt may have been committed without its answer arriving), {@code UNAVAILABLE} (leadership
 * lost after the entry reached the log, node gone mid-call), {@code RESOURCE_EXHAUSTED}, {@code
 * CANCELLED}, and also {@code FAILED_PRECONDITION}: the log answers it to a resend whose sequence
 * it has forgotten (older than its last 5 batches), and that batch may have been appended by an
 * earlier attempt.
 */
public final class AppendOutcome {
  private static final Set<Status.Code> CERTAIN =
      Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND);

  private AppendOutcome() {}

  /** FAIL or UNKNOWN for an append whose future failed with {@code error}. */
  public static Op.Type ofCompletion(Throwable error) {
    Throwable e = unwrap(error);
    return e instanceof RaftlogException r && CERTAIN.contains(r.code())
        ? Op.Type.FAIL
        : Op.Type.UNKNOWN;
  }

  /** The gRPC status code name of {@code error}, or its class's simple name. */
  public static String code(Throwable error) {
    Throwable e = unwrap(error);
    return e instanceof RaftlogException r ? r.code().name() : e.getClass().getSimpleName();
  }

  /** The exception a {@code CompletableFuture} wrapped, if it did. */
  public static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof java.util.concurrent.CompletionException
            || e instanceof java.util.concurrent.ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
