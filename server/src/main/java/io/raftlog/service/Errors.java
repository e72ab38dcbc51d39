package io.raftlog.service;

import com.alipay.sofa.jraft.error.RaftError;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The gRPC statuses raftlog answers with, each with a message a person can act on. */
final class Errors {
  private Errors() {}

  static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  static StatusRuntimeException noLeader() {
    return Status.UNAVAILABLE
        .withDescription("no leader is elected right now (election in progress); retry shortly")
        .asRuntimeException();
  }

  static StatusRuntimeException notLeader(String leaderAddress) {
    return Status.UNAVAILABLE
        .withDescription(
            "this node is not the leader"
                + (leaderAddress == null ? "" : "; the leader is " + leaderAddress)
                + ": retry there")
        .asRuntimeException();
  }

  static StatusRuntimeException pastEnd(long offset, long nextOffset) {
    return Status.OUT_OF_RANGE
        .withDescription(
            "offset "
                + offset
                + " is past the end of the log: the next offset is "
                + nextOffset
                + " (reading at the next offset waits for nothing and returns no records)")
        .asRuntimeException();
  }

  /** The node's read queue is full (consume calls and stream refills wait there). */
  static StatusRuntimeException readsQueued() {
    return overloaded("too many reads are waiting on this node");
  }

  static StatusRuntimeException overloaded(String what) {
    return Status.RESOURCE_EXHAUSTED
        .withDescription(what + "; back off and retry")
        .asRuntimeException();
  }

  static StatusRuntimeException storage(RuntimeException e) {
    return Status.INTERNAL.withDescription("storage error: " + e.getMessage()).asRuntimeException();
  }

  /**
   * The leader's answer to a call this node relayed, passed on as it is; a failure to reach the
   * leader at all says so.
   */
  static StatusRuntimeException relayed(Throwable t, String leaderAddress) {
    Status s = Status.fromThrowable(t);
    if (s.getCode() == Status.Code.UNAVAILABLE && s.getDescription() == null) {
      return s.withDescription("cannot reach the leader " + leaderAddress + "; retry")
          .asRuntimeException();
    }
    return s.asRuntimeException();
  }

  /** A produce that JRaft did not commit under this leader. */
  static StatusRuntimeException appendFailed(com.alipay.sofa.jraft.Status st) {
    RaftError err = st.getRaftError();
    if (err == RaftError.EBUSY && !st.getErrorMsg().contains("transferring")) {
      return overloaded("the node's Raft apply queue is full (" + st.getErrorMsg() + ")");
    }
    if (err == RaftError.ENODESHUTDOWN || err == RaftError.ESHUTDOWN) {
      return Status.UNAVAILABLE
          .withDescription("the node is shutting down; retry on another node")
          .asRuntimeException();
    }
    return Status.UNAVAILABLE
        .withDescription(
            "leadership changed before the batch committed ("
                + st.getErrorMsg()
                + "); it may or may not be appended: retry with the same producer_id and sequence")
        .asRuntimeException();
  }

  /** A linearizable read whose ReadIndex round failed. */
  static StatusRuntimeException readBarrierFailed(com.alipay.sofa.jraft.Status st) {
    return Status.UNAVAILABLE
        .withDescription(
            "cannot confirm the leader for a linearizable read ("
                + st.getErrorMsg()
                + "); retry, or read with consistency LOCAL")
        .asRuntimeException();
  }
}
