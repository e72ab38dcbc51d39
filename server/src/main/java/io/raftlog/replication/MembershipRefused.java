package io.raftlog.replication;

/**
 * A membership request (join, drain, remove, move, leader transfer) that the catalog cannot take as
 * it stands, with a message that says why and what to do. The service answers it as the status its
 * {@link Kind} names.
 */
public final class MembershipRefused extends RuntimeException {
  /** What kind of refusal: the service maps each to one gRPC status. */
  public enum Kind {
    /** An id the catalog does not hold (NOT_FOUND). */
    UNKNOWN,
    /** The request does not fit the cluster as it is (FAILED_PRECONDITION). */
    UNSAFE,
    /** The cluster is not ready to take it yet: no leader, not formed (UNAVAILABLE). */
    NOT_READY,
    /** It did not finish in time (DEADLINE_EXCEEDED). */
    TIMED_OUT
  }

  private final Kind kind;

  public MembershipRefused(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
