package io.raftlog.storage;

import io.raftlog.api.v1.Retention;

/**
 * Which records a stream keeps (the API's {@code Retention}, every field set): records go from the
 * oldest on once any limit is passed; 0 is no limit. With {@code holdForConsumers}, records a named
 * consumer has not committed past stay beyond the limits, up to the node's hold cap ({@code
 * retention.hold-max-bytes}). Stored in the stream's {@link StreamMeta}; the shard leader's
 * retention check reads it, replicas only apply the truncations it decides.
 */
public record RetentionPolicy(
    long maxAgeMs, long maxBytes, long maxRecords, boolean holdForConsumers) {

  /** Keeps every record. */
  public static final RetentionPolicy KEEP_ALL = new RetentionPolicy(0, 0, 0, false);

  /** Whether any limit is set (a stream without one is never truncated by retention). */
  public boolean limits() {
    return maxAgeMs > 0 || maxBytes > 0 || maxRecords > 0;
  }

  /**
   * The policy a Raft entry's resolved {@code Retention} gives (fields it lacks are 0: an entry of
   * a leader from before retention keeps everything).
   */
  public static RetentionPolicy of(Retention r) {
    return KEEP_ALL.with(r);
  }

  /** This policy with the fields {@code changes} holds (proto3 presence) replaced. */
  public RetentionPolicy with(Retention changes) {
    return new RetentionPolicy(
        changes.hasMaxAgeMs() ? changes.getMaxAgeMs() : maxAgeMs,
        changes.hasMaxBytes() ? changes.getMaxBytes() : maxBytes,
        changes.hasMaxRecords() ? changes.getMaxRecords() : maxRecords,
        changes.hasHoldForConsumers() ? changes.getHoldForConsumers() : holdForConsumers);
  }
}
