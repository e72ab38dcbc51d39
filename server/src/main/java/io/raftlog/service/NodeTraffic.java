package io.raftlog.service;

import com.google.protobuf.ByteString;
import io.raftlog.storage.StoredRecords;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this node has served since it started: records and bytes appended as a shard's leader
 * (acknowledged) and answered to reads, in total and per stream ({@link StreamActivity}, for the
 * busiest streams). Owned by {@link LogService}; counted on the threads that complete appends
 * (JRaft's) and that send reads (read threads); read by metrics, {@code GetCluster} and {@code
 * TopStreams} on theirs. With {@code metrics.enabled=false} it counts nothing.
 */
public final class NodeTraffic {
  private final boolean enabled;
  private final LongAdder recordsAppended = new LongAdder();
  private final LongAdder bytesAppended = new LongAdder();
  private final LongAdder recordsRead = new LongAdder();
  private final LongAdder bytesRead = new LongAdder();
  private final LongAdder forwarded = new LongAdder();
  private final StreamActivity streams;

  NodeTraffic(boolean enabled, StreamActivity streams) {
    this.enabled = enabled;
    this.streams = streams;
  }

  /** Records of {@code stream} appended with this node as leader, acknowledged. */
  void appended(String stream, int records, long bytes) {
    if (!enabled) {
      return;
    }
    recordsAppended.add(records);
    bytesAppended.add(bytes);
    streams.appended(stream, records, bytes);
  }

  /** Records of {@code stream} sent to a reader. */
  void read(String stream, StoredRecords records) {
    if (!enabled || records.isEmpty()) {
      return;
    }
    long bytes = 0;
    for (ByteString part : records.parts()) {
      bytes += part.size();
    }
    recordsRead.add(records.count());
    bytesRead.add(bytes);
    streams.read(stream, records.count(), bytes);
  }

  /** A call this node sent on to another node (the leader, or a replica for a read). */
  void forwarded() {
    if (enabled) {
      forwarded.increment();
    }
  }

  public boolean enabled() {
    return enabled;
  }

  public long recordsAppended() {
    return recordsAppended.sum();
  }

  public long bytesAppended() {
    return bytesAppended.sum();
  }

  public long recordsRead() {
    return recordsRead.sum();
  }

  public long bytesRead() {
    return bytesRead.sum();
  }

  public long forwardedCalls() {
    return forwarded.sum();
  }

  /** The per-stream counts: the busiest streams of this node. */
  public StreamActivity streams() {
    return streams;
  }
}
