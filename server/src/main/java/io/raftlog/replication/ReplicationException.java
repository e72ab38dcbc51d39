package io.raftlog.replication;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;

/**
 * Why an append or a read barrier did not complete: JRaft's failure {@link Status}, translated here
 * so that nothing outside this package sees JRaft. {@link #getMessage()} is JRaft's own error text.
 */
public final class ReplicationException extends RuntimeException {

  /** What the caller can do about it. */
  public enum Kind {
    /** The node's Raft apply queue is full: back off and retry. */
    OVERLOADED,
    /** The node is shutting down: retry on another node. */
    SHUTTING_DOWN,
    /**
     * The batch did not commit under this leader (leadership lost or being transferred, or another
     * Raft failure); the next leader may still commit it, so a retry keeps producer id and
     * sequence.
     */
    LEADERSHIP_LOST,
    /** A linearizable read's ReadIndex round failed: this node cannot confirm the leader. */
    READ_BARRIER_FAILED
  }

  private final Kind kind;

  /** Made here from JRaft's statuses; public so other layers' tests can make one. */
  public ReplicationException(Kind kind, String jraftMessage) {
    // No stack trace: this is an answer from Raft, not a fault in the code that made it.
    super(jraftMessage, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** A failed append's status. */
  static ReplicationException ofAppend(Status st) {
    RaftError err = st.getRaftError();
    String msg = st.getErrorMsg();
    // JRaft answers EBUSY both for a full apply queue and while it transfers leadership; only the
    // first is overload, the second is a leadership change.
    if (err == RaftError.EBUSY && !(msg != null && msg.contains("transferring"))) {
      return new ReplicationException(Kind.OVERLOADED, msg);
    }
    if (err == RaftError.ENODESHUTDOWN || err == RaftError.ESHUTDOWN) {
      return new ReplicationException(Kind.SHUTTING_DOWN, msg);
    }
    return new ReplicationException(Kind.LEADERSHIP_LOST, msg);
  }

  /** A failed ReadIndex round's status, whatever its error code. */
  static ReplicationException ofReadBarrier(Status st) {
    return new ReplicationException(Kind.READ_BARRIER_FAILED, st.getErrorMsg());
  }
}
