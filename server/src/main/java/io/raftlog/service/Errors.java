package io.raftlog.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.raftlog.replication.ReplicationException;
import java.util.concurrent.CompletionException;

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

  static StatusRuntimeException notReplica(
      int shard, java.util.List<io.raftlog.config.Peer> replicas) {
    return Status.UNAVAILABLE
        .withDescription(
            "this node holds no replica of shard "
                + shard
                + ": ask one of "
                + replicas.stream().map(io.raftlog.config.Peer::clientAddress).toList())
        .asRuntimeException();
  }

  static StatusRuntimeException notFound(String stream) {
    return Status.NOT_FOUND
        .withDescription("stream '" + stream + "' does not exist")
        .asRuntimeException();
  }

  static StatusRuntimeException pastEnd(long offset, long nextOffset) {
    return Status.OUT_OF_RANGE
        .withDescription(
            "offset "
                + Long.toUnsignedString(offset)
                + " is past the end of the stream: the next offset is "
                + nextOffset
                + " (reading at the next offset waits for nothing and returns no records)")
        .asRuntimeException();
  }

  /**
   * A read at {@code offset} of {@code stream} whose records below {@code firstOffset} are gone,
   * under the reset policy FAIL: names the offsets the stream holds and the ways on.
   */
  static StatusRuntimeException belowFirst(
      String stream, long offset, long firstOffset, long nextOffset) {
    String holds =
        firstOffset == nextOffset
            ? "the stream holds no records now (its next offset is " + nextOffset + ")"
            : firstOffset + 1 == nextOffset
                ? "the stream holds offset "
                    + firstOffset
                    + " only (next offset "
                    + nextOffset
                    + ")"
                : "the stream holds offsets "
                    + firstOffset
                    + " to "
                    + (nextOffset - 1)
                    + " (next offset "
                    + nextOffset
                    + ")";
    return Status.OUT_OF_RANGE
        .withDescription(
            "offset "
                + offset
                + " of stream '"
                + stream
                + "' was removed by retention or Truncate: "
                + holds
                + "; read from "
                + firstOffset
                + ", or set reset to OFFSET_RESET_EARLIEST or OFFSET_RESET_LATEST")
        .asRuntimeException();
  }

  /** An offset of 2^63 or more (negative here): past the next offset of any stream. */
  static StatusRuntimeException pastAnyEnd(String field, long uint64) {
    return Status.OUT_OF_RANGE
        .withDescription(
            field
                + " "
                + Long.toUnsignedString(uint64)
                + " is past the next offset of any stream (offsets stay below 2^63)")
        .asRuntimeException();
  }

  static StatusRuntimeException consumerNotFound(String stream, String consumer) {
    return Status.NOT_FOUND
        .withDescription(
            "stream '"
                + stream
                + "' has no consumer '"
                + consumer
                + "' (it never committed an offset, or was deleted)")
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

  /** This node's disk is below its free-space floor; {@code reason} names node, path and bytes. */
  static StatusRuntimeException diskFull(String reason) {
    return Status.RESOURCE_EXHAUSTED
        .withDescription(
            reason + ": this node takes no writes until space is freed; retry on another node")
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
    // Its status details (e.g. an expected-offset mismatch) too, but not the leader's other
    // trailers: this node's own raftlog-leader and raftlog-node go on the answer.
    com.google.rpc.Status details = StatusProto.fromThrowable(t);
    if (details != null && details.getDetailsCount() > 0) {
      return StatusProto.toStatusRuntimeException(details);
    }
    return s.asRuntimeException();
  }

  /** A batch the state machine refused (e.g. a sequence gap), for the producer to act on. */
  static StatusRuntimeException rejected(String reason) {
    return Status.FAILED_PRECONDITION.withDescription(reason).asRuntimeException();
  }

  /** An entry the state machine refused, with the status its kind of refusal calls for. */
  static StatusRuntimeException rejected(io.raftlog.replication.AppendOutcome.Rejected r) {
    if (r.mismatch() != null) {
      return r.mismatch().asException();
    }
    Status s =
        switch (r.kind()) {
          case PRECONDITION -> Status.FAILED_PRECONDITION;
          case NOT_FOUND -> Status.NOT_FOUND;
          case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
          case INVALID -> Status.INVALID_ARGUMENT;
          case OUT_OF_RANGE -> Status.OUT_OF_RANGE;
        };
    return s.withDescription(r.reason()).asRuntimeException();
  }

  /** Said to open tail streams when the node stops. */
  static Status shuttingDown() {
    return Status.UNAVAILABLE.withDescription("the node is shutting down; reconnect");
  }

  /**
   * The one translation of a failure into the status a call ends with: statuses pass as they are,
   * Raft failures get their status by kind, other runtime errors come from storage.
   */
  static StatusRuntimeException asStatus(Throwable t) {
    Throwable cause = t instanceof CompletionException ? t.getCause() : t;
    if (cause instanceof StatusRuntimeException s) {
      return s;
    }
    if (cause instanceof ReplicationException r) {
      return replication(r);
    }
    if (cause instanceof io.raftlog.replication.MembershipRefused m) {
      return membership(m);
    }
    if (cause instanceof RuntimeException r) {
      return storage(r);
    }
    return Status.INTERNAL.withDescription(String.valueOf(cause)).asRuntimeException();
  }

  /** A membership request the catalog cannot take: its message says why and what to do. */
  static StatusRuntimeException membership(io.raftlog.replication.MembershipRefused m) {
    Status status =
        switch (m.kind()) {
          case UNKNOWN -> Status.NOT_FOUND;
          case UNSAFE -> Status.FAILED_PRECONDITION;
          case NOT_READY -> Status.UNAVAILABLE;
          case TIMED_OUT -> Status.DEADLINE_EXCEEDED;
        };
    return status.withDescription(m.getMessage()).asRuntimeException();
  }

  /** A produce that did not commit under this leader, or a linearizable read that failed. */
  private static StatusRuntimeException replication(ReplicationException e) {
    return switch (e.kind()) {
      case OVERLOADED -> overloaded("the node's Raft apply queue is full (" + e.getMessage() + ")");
      case SHUTTING_DOWN ->
          Status.UNAVAILABLE
              .withDescription("the node is shutting down; retry on another node")
              .asRuntimeException();
      case LEADERSHIP_LOST ->
          Status.UNAVAILABLE
              .withDescription(
                  "leadership changed before the batch committed ("
                      + e.getMessage()
                      + "); it may or may not be appended: retry with the same producer_id and"
                      + " sequence")
              .asRuntimeException();
      case READ_BARRIER_FAILED ->
          Status.UNAVAILABLE
              .withDescription(
                  "cannot confirm the leader for a linearizable read ("
                      + e.getMessage()
                      + "); retry, or read with consistency LOCAL")
              .asRuntimeException();
    };
  }
}
