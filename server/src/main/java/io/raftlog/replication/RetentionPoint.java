package io.raftlog.replication;

import io.raftlog.storage.ConsumerPosition;
import io.raftlog.storage.RetentionPolicy;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StreamMeta;
import java.util.List;

/**
 * Where retention puts one stream's first offset now: the rule of {@code Retention}, read against
 * the shard leader's store. Pure but for the store reads; used by {@link RetentionCheck} on its
 * thread. Only the leader decides: replicas apply the truncation it replicates, so the clock read
 * here is the leader's alone and every replica drops the same records.
 *
 * <p>Each limit gives a point (records: {@code next - max_records}; bytes: the first chunk from
 * which the stream holds at most {@code max_bytes}; age: the first record stamped at or after
 * {@code now - max_age_ms}) and the stream keeps from the highest of them. With {@code
 * hold_for_consumers} the lowest offset its named consumers committed holds that point back (a
 * stream without named consumers holds nothing), except past {@code retention.hold-max-bytes}: then
 * the point is at least where that cap alone would put it.
 */
final class RetentionPoint {
  /** Consumers read per page while looking for the lowest committed offset. */
  private static final int CONSUMER_PAGE = 256;

  /** Why a stream is truncated, for the log line. */
  record Due(String stream, long from, long to, String why) {}

  private final RocksLogStore store;
  private final long holdMaxBytes;

  RetentionPoint(RocksLogStore store, long holdMaxBytes) {
    this.store = store;
    this.holdMaxBytes = holdMaxBytes;
  }

  /**
   * The truncation {@code meta}'s stream is due at {@code nowMs}, or null when none is (no limit,
   * or nothing past the first offset). Costs nothing beyond the meta for a stream without limits;
   * otherwise a seek for each limit set (a byte count and a time lookup in the store's indexes).
   */
  Due due(String stream, StreamMeta meta, long nowMs) {
    RetentionPolicy p = meta.retention();
    if (p == null || !p.limits()) {
      return null;
    }
    long first = meta.firstOffset();
    long next = meta.nextOffset();
    long point = first;
    String why = "";
    if (p.maxRecords() > 0 && next - p.maxRecords() > point) {
      point = next - p.maxRecords();
      why = "max_records " + p.maxRecords();
    }
    if (p.maxBytes() > 0) {
      long at = store.offsetKeepingBytes(stream, p.maxBytes());
      if (at > point) {
        point = at;
        why = "max_bytes " + p.maxBytes() + " (stored " + meta.storedBytes() + ")";
      }
    }
    if (p.maxAgeMs() > 0) {
      long at = store.offsetAtTime(stream, nowMs - p.maxAgeMs()).orElse(first);
      if (at > point) {
        point = at;
        why = "max_age_ms " + p.maxAgeMs();
      }
    }
    if (p.holdForConsumers() && point > first) {
      long held = lowestCommitted(stream);
      if (held < point) {
        long capped = first;
        if (meta.storedBytes() > holdMaxBytes) {
          capped = store.offsetKeepingBytes(stream, holdMaxBytes);
        }
        long kept = Math.max(held, capped);
        if (kept < point) {
          why +=
              capped > held
                  ? ", held for consumers up to the hold cap " + holdMaxBytes
                  : ", held for consumers at " + held;
          point = kept;
        }
      }
    }
    point = Math.min(point, next);
    return point > first ? new Due(stream, first, point, why) : null;
  }

  /** The lowest offset a named consumer of {@code stream} committed; MAX_VALUE without any. */
  private long lowestCommitted(String stream) {
    long lowest = Long.MAX_VALUE;
    String after = "";
    while (true) {
      List<ConsumerPosition> page = store.consumers(stream, after, CONSUMER_PAGE);
      for (ConsumerPosition c : page) {
        lowest = Math.min(lowest, c.offset());
      }
      if (page.size() < CONSUMER_PAGE) {
        return lowest;
      }
      after = page.get(page.size() - 1).consumer();
    }
  }
}
