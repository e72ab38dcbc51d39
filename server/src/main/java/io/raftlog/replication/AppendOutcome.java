package io.raftlog.replication;

/** What applying one client batch did to the log; the same on every replica. */
public sealed interface AppendOutcome {

  /** The batch holds offsets {@code baseOffset .. baseOffset + count - 1}. */
  record Appended(long baseOffset, int count, boolean duplicate) implements AppendOutcome {}

  /** The batch was not appended, for a reason the producer must act on (e.g. a sequence gap). */
  record Rejected(String reason) implements AppendOutcome {}
}
