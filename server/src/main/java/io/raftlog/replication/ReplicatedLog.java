package io.raftlog.replication;

import com.alipay.sofa.jraft.error.RaftError;
import io.raftlog.api.v1.Retention;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.AppendBatch;
import io.raftlog.internal.v1.CommitOffset;
import io.raftlog.internal.v1.CreateStream;
import io.raftlog.internal.v1.DeleteConsumer;
import io.raftlog.internal.v1.DeleteStream;
import io.raftlog.internal.v1.ShardEntry;
import io.raftlog.internal.v1.TruncateStreams;
import io.raftlog.internal.v1.Truncation;
import io.raftlog.internal.v1.UpdateStream;
import io.raftlog.storage.LogReader;
import io.raftlog.storage.RocksLogStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's replica of one shard: the shard's store, the JRaft member of its group running {@link
 * LogStateMachine} over that store, and the few things the service layer needs (append, create and
 * delete a stream, read barrier, reads, who leads, applied events) without exposing JRaft or the
 * shard's Raft entries, which it builds itself: its failures arrive as {@link
 * ReplicationException}s. Owned by {@link Replicas}, which starts and closes it.
 *
 * <p>Futures this class returns are completed on JRaft's threads (the apply thread, its closure
 * executor, or its timers), so stages that run on completion must hand blocking work elsewhere.
 */
public final class ReplicatedLog implements AppliedEvents, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedLog.class);

  private final int shard;
  private final NodeConfig config;
  private final RocksLogStore store;
  private final LogStateMachine fsm;
  private final RaftTransport transport;
  private final GroupMember member;
  private final AtomicBoolean snapshotRunning = new AtomicBoolean();
  private final GroupStats stats;

  ReplicatedLog(
      int shard,
      NodeConfig config,
      Members members,
      List<Peer> replicas,
      Path dir,
      RocksLogStore store,
      RoleListener roles,
      RaftTransport transport) {
    this.shard = shard;
    this.config = config;
    this.store = store;
    this.transport = transport;
    this.fsm = new LogStateMachine(store, config.get(ConfigKeys.MAX_PRODUCERS));
    fsm.roleListener(roles);
    fsm.addAppliedListener(snapshotWhenDue());
    this.member =
        new GroupMember(groupId(shard), config, members, replicas, List.of(), dir, fsm, transport);
    this.stats =
        new GroupStats(
            Integer.toString(shard),
            member,
            fsm,
            store::streamCount,
            members,
            config.get(ConfigKeys.NODE_ID));
  }

  /** What the metrics read of this replica. */
  public GroupStats stats() {
    return stats;
  }

  /** The JRaft group id of shard {@code shard}. */
  static String groupId(int shard) {
    return "shard-" + shard;
  }

  public int shard() {
    return shard;
  }

  /** This replica's applied state, to read; only committed entries change it. */
  public LogReader reader() {
    return store;
  }

  /** The nodes that hold a replica of this shard. */
  public List<Peer> replicas() {
    return member.replicas();
  }

  /**
   * Appends one client batch, all parts or none, in order: each part to its stream (which the batch
   * may create when {@code streams.auto-create} is on), if the stream is at the part's expected
   * offset when it has one. A {@code producerId} other than 0 makes the batch idempotent under its
   * {@code sequence}. The leader's clock stamps the records that carry no timestamp.
   *
   * <p>The future completes once the batch is committed by a majority and applied, with what
   * applying it did ({@link AppendOutcome.Appended} or {@link AppendOutcome.Rejected}); or fails
   * with a {@link ReplicationException} when it did not commit under this leader (lost leadership,
   * overload, shutdown; on a follower at once). A failed batch may still be committed by the next
   * leader, so a retry must keep the producer id and sequence. Completed on JRaft's apply thread
   * (applied) or its closure executor (refused): dependent stages must not block.
   */
  public CompletableFuture<AppendOutcome> append(
      List<StreamRecords> parts, long producerId, long sequence) {
    return propose(
        ShardEntry.newBuilder()
            .setAppend(
                AppendBatch.newBuilder()
                    .addAllParts(parts)
                    .setProducerId(producerId)
                    .setSequence(sequence)
                    .setAppendTimeMs(System.currentTimeMillis())
                    .setCreateStreams(config.get(ConfigKeys.STREAMS_AUTO_CREATE))
                    .setCreateRetention(defaultRetention()))
            .build());
  }

  /**
   * Creates an empty stream, stamped with the leader's clock, with the {@code requested} retention
   * (fields it lacks take this leader's {@code retention.*} defaults): {@link
   * AppendOutcome.Created}, or {@link AppendOutcome.Rejected} if it exists. Completes and fails as
   * {@link #append} does.
   */
  public CompletableFuture<AppendOutcome> create(String stream, Retention requested) {
    return propose(
        ShardEntry.newBuilder()
            .setCreate(
                CreateStream.newBuilder()
                    .setStream(stream)
                    .setCreatedMs(System.currentTimeMillis())
                    .setRetention(defaultRetention().toBuilder().mergeFrom(requested)))
            .build());
  }

  /** A stream that keeps every record unless this leader's {@code retention.*} keys say else. */
  public CompletableFuture<AppendOutcome> create(String stream) {
    return create(stream, Retention.getDefaultInstance());
  }

  /** The retention of a stream created here without one: every field set, from the config. */
  private Retention defaultRetention() {
    return Retention.newBuilder()
        .setMaxAgeMs(config.get(ConfigKeys.RETENTION_MAX_AGE_MS))
        .setMaxBytes(config.get(ConfigKeys.RETENTION_MAX_BYTES))
        .setMaxRecords(config.get(ConfigKeys.RETENTION_MAX_RECORDS))
        .setHoldForConsumers(false)
        .build();
  }

  /**
   * Changes the fields {@code changes} holds of a stream's retention: {@link
   * AppendOutcome.Updated}, or {@link AppendOutcome.Rejected} (NOT_FOUND). Completes and fails as
   * {@link #append} does.
   */
  public CompletableFuture<AppendOutcome> update(String stream, Retention changes) {
    return propose(
        ShardEntry.newBuilder()
            .setUpdate(UpdateStream.newBuilder().setStream(stream).setRetention(changes))
            .build());
  }

  /**
   * Removes a stream's records below {@code beforeOffset}: {@link AppendOutcome.Truncated} (also
   * when they were gone already), or {@link AppendOutcome.Rejected}: NOT_FOUND, or OUT_OF_RANGE
   * past the stream's next offset. Completes and fails as {@link #append} does.
   */
  public CompletableFuture<AppendOutcome> truncate(String stream, long beforeOffset) {
    return propose(
        ShardEntry.newBuilder()
            .setTruncate(
                TruncateStreams.newBuilder()
                    .addStreams(
                        Truncation.newBuilder().setStream(stream).setBeforeOffset(beforeOffset)))
            .build());
  }

  /**
   * Truncates each of {@code due}'s streams to its new first offset in one entry, marked as decided
   * by the retention check ({@code by_retention}: applied clamped to the stream's next offset, a
   * stream gone meanwhile skipped). For {@link RetentionCheck}, on this shard's leader. Completes
   * and fails as {@link #append} does.
   */
  CompletableFuture<AppendOutcome> truncateByRetention(List<RetentionPoint.Due> due) {
    TruncateStreams.Builder t = TruncateStreams.newBuilder();
    for (RetentionPoint.Due d : due) {
      t.addStreams(
          Truncation.newBuilder()
              .setStream(d.stream())
              .setBeforeOffset(d.to())
              .setByRetention(true));
    }
    return propose(ShardEntry.newBuilder().setTruncate(t).build());
  }

  /**
   * Stores a named consumer's position, stamped with the leader's clock: {@link
   * AppendOutcome.Committed}, or {@link AppendOutcome.Rejected}: NOT_FOUND (no such stream),
   * OUT_OF_RANGE (past its next offset), PRECONDITION (below the stored offset without {@code
   * force}). Completes and fails as {@link #append} does.
   */
  public CompletableFuture<AppendOutcome> commitOffset(
      String stream, String consumer, long offset, boolean force) {
    return propose(
        ShardEntry.newBuilder()
            .setCommit(
                CommitOffset.newBuilder()
                    .setStream(stream)
                    .setConsumer(consumer)
                    .setOffset(offset)
                    .setForce(force)
                    .setCommitTimeMs(System.currentTimeMillis()))
            .build());
  }

  /**
   * Forgets a named consumer: {@link AppendOutcome.ConsumerDeleted}, or {@link
   * AppendOutcome.Rejected} (NOT_FOUND). Completes and fails as {@link #append} does.
   */
  public CompletableFuture<AppendOutcome> deleteConsumer(String stream, String consumer) {
    return propose(
        ShardEntry.newBuilder()
            .setDeleteConsumer(DeleteConsumer.newBuilder().setStream(stream).setConsumer(consumer))
            .build());
  }

  /**
   * Deletes a stream and its records: {@link AppendOutcome.Deleted}, or {@link
   * AppendOutcome.Rejected} if it does not exist. Completes and fails as {@link #append} does.
   */
  public CompletableFuture<AppendOutcome> delete(String stream) {
    return propose(
        ShardEntry.newBuilder().setDelete(DeleteStream.newBuilder().setStream(stream)).build());
  }

  private CompletableFuture<AppendOutcome> propose(ShardEntry entry) {
    CompletableFuture<AppendOutcome> result = new CompletableFuture<>();
    member.propose(entry.toByteArray(), new AppendClosure(result));
    return result;
  }

  /**
   * Completes once this replica has applied everything committed in its shard before the call;
   * fails with a {@link ReplicationException} of kind {@code READ_BARRIER_FAILED} when it cannot
   * confirm that. Completed on a JRaft thread: dependent stages must not block.
   */
  public CompletableFuture<Void> readBarrier() {
    return member.readBarrier();
  }

  @Override
  public void addAppliedListener(AppliedListener l) {
    fsm.addAppliedListener(l);
  }

  @Override
  public void removeAppliedListener(AppliedListener l) {
    fsm.removeAppliedListener(l);
  }

  /** Snapshots that replaced this replica's store since it started. */
  public int snapshotsInstalled() {
    return fsm.snapshotsInstalled();
  }

  public boolean isLeader() {
    return member.isLeader();
  }

  /** The shard's current leader, or null while none is known. */
  public Peer leader() {
    return member.leader();
  }

  /** This replica's role, term and Raft indexes, as of now. */
  public RaftState state() {
    return member.state(fsm.term());
  }

  GroupMember member() {
    return member;
  }

  /** This replica's store, for the retention check's reads (which need more than LogReader). */
  RocksLogStore store() {
    return store;
  }

  /** Before {@link DiskGuard} restarts this replica's member: see {@link LogStateMachine}. */
  void prepareRestart() {
    fsm.prepareRestart();
  }

  /**
   * Snapshots when the Raft log since the last snapshot passed {@code raft.snapshot-entries}
   * entries or {@code raft.snapshot-log-bytes} bytes: the snapshot lets JRaft drop that log. And
   * when truncations and deletes dropped more than {@code raft.snapshot-log-bytes} of records since
   * the last one: that snapshot's hard links still hold those records' files on disk (on an idle
   * shard, until the next snapshot by time); this one is taken once the store has compacted them
   * away ({@link RocksLogStore#afterReclaim}), so it holds only what is kept.
   */
  private AppliedListener snapshotWhenDue() {
    return (stream, next) -> {
      long bytes = config.get(ConfigKeys.SNAPSHOT_LOG_BYTES);
      boolean byLog =
          fsm.entriesSinceSnapshot() >= config.get(ConfigKeys.SNAPSHOT_ENTRIES)
              || fsm.bytesSinceSnapshot() >= bytes;
      boolean byDropped = fsm.droppedSinceSnapshot() >= bytes;
      if ((byLog || byDropped) && snapshotRunning.compareAndSet(false, true)) {
        // A snapshot request queues work on the apply thread this listener runs on: make it
        // from another.
        Runnable snapshot = () -> transport.triggerSnapshot(this::snapshotNow);
        if (byLog) {
          snapshot.run();
        } else {
          store.afterReclaim(snapshot);
        }
      }
    };
  }

  private void snapshotNow() {
    member.snapshot(
        st -> {
          snapshotRunning.set(false);
          if (!st.isOk() && st.getRaftError() != RaftError.EBUSY) {
            LOG.warn("shard {}: snapshot by entries or bytes failed: {}", shard, st);
          }
        });
  }

  /** Starts stopping this replica's member; {@link #close()} waits for it and closes the store. */
  void shutdown() {
    member.shutdown();
  }

  @Override
  public void close() throws InterruptedException {
    member.close();
    store.close();
  }
}
