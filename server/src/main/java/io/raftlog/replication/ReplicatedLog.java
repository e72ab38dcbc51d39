package io.raftlog.replication;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.impl.RocksDBLogStorage;
import com.alipay.sofa.jraft.util.BytesUtil;
import com.alipay.sofa.jraft.util.StorageOptionsFactory;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.ShardEntry;
import io.raftlog.storage.RocksLogStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's member of the Raft group: wraps a JRaft {@link Node} running {@link LogStateMachine},
 * and offers the service layer the few things it needs (append, linearizable-read barrier, who
 * leads, applied events) without exposing JRaft: its failures arrive as {@link
 * ReplicationException}s.
 *
 * <p>Futures this class returns are completed on JRaft's threads (the apply thread, its closure
 * executor, or its timers), so stages that run on completion must hand blocking work elsewhere.
 */
public final class ReplicatedLog implements AppliedEvents, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedLog.class);
  private static final String GROUP = "raftlog";
  private static final int BATCHING_BYTES = 4 << 20;

  static {
    tuneRaftLogStorage();
  }

  private final NodeConfig config;
  private final LogStateMachine fsm;
  private final RaftGroupService group;
  private final Node node;
  private final ExecutorService snapshotTrigger =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "raftlog-snapshot-trigger"));
  private final AtomicBoolean snapshotRunning = new AtomicBoolean();

  private ReplicatedLog(NodeConfig config, LogStateMachine fsm, RoleListener roles) {
    this.config = config;
    this.fsm = fsm;
    fsm.roleListener(roles);
    fsm.addAppliedListener((stream, next) -> maybeSnapshot());

    Configuration conf = new Configuration();
    for (Peer p : config.peers()) {
      conf.addPeer(PeerId.parsePeer(p.raftAddress()));
    }
    NodeOptions opts = new NodeOptions();
    opts.setFsm(fsm);
    opts.setInitialConf(conf);
    opts.setElectionTimeoutMs(config.electionTimeoutMs());
    opts.getRaftOptions().setMaxElectionDelayMs(config.maxElectionDelayMs());
    opts.setSnapshotIntervalSecs(config.snapshotIntervalSecs());
    Path raftDir = config.dataDir().resolve("raft");
    try {
      Files.createDirectories(raftDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + raftDir, e);
    }
    opts.setLogUri(raftDir.resolve("log").toString());
    opts.setRaftMetaUri(raftDir.resolve("meta").toString());
    opts.setSnapshotUri(raftDir.resolve("snapshot").toString());
    // Three JVMs share two cores: JRaft's defaults (6 x cores RPC threads, 3 x cores timers) are
    // sized for a server of their own.
    opts.setRaftRpcThreadPoolSize(4);
    opts.setCliRpcThreadPoolSize(1);
    opts.setTimerPoolSize(2);
    // Private timers are hashed wheels that tick every millisecond even when idle; the shared
    // ones sleep until a timeout is due.
    opts.setSharedElectionTimer(true);
    opts.setSharedVoteTimer(true);
    opts.setSharedStepDownTimer(true);
    opts.setSharedSnapshotTimer(true);
    RaftOptions raft = opts.getRaftOptions();
    raft.setSync(true); // an acknowledged batch is on a majority's disks
    // One entry is one client batch (up to log.max-batch-bytes). Let one fsync and one
    // AppendEntries carry several of them; JRaft's defaults (256 KiB, 512 KiB) cut at one or two.
    raft.setMaxAppendBufferSize(BATCHING_BYTES);
    raft.setMaxBodySize(BATCHING_BYTES);
    // AppendEntries in flight to one follower, each up to BATCHING_BYTES: bounds what a catching-up
    // follower's replicator holds (JRaft's default of 256 would allow 1 GiB).
    raft.setMaxReplicatorInflightMsgs(16);
    opts.setRaftOptions(raft);

    PeerId self = PeerId.parsePeer(config.self().raftAddress());
    this.group = new RaftGroupService(GROUP, self, opts);
    this.node = group.start();
  }

  /**
   * Starts this node's Raft member; it joins or forms the group named by {@code config.peers()}.
   */
  public static ReplicatedLog start(NodeConfig config, RocksLogStore store, RoleListener roles) {
    return new ReplicatedLog(config, new LogStateMachine(store, config.maxProducers()), roles);
  }

  /**
   * Replicates one batch. The future completes once the batch is committed by a majority and
   * applied, with what applying it did; or fails with a {@link ReplicationException} when it did
   * not commit under this leader (lost leadership, overload, shutdown; on a follower at once). A
   * failed batch may still be committed by the next leader, so a retry must keep the producer id
   * and sequence.
   *
   * <p>Completed on JRaft's apply thread (applied) or its closure executor (refused): dependent
   * stages must not block.
   */
  public CompletableFuture<AppendOutcome> append(ShardEntry batch) {
    CompletableFuture<AppendOutcome> result = new CompletableFuture<>();
    Task task = new Task(ByteBuffer.wrap(batch.toByteArray()), new AppendClosure(result));
    try {
      node.apply(task);
    } catch (IllegalStateException shuttingDown) {
      // JRaft also runs the closure with ENODESHUTDOWN; nothing more to do here.
      LOG.debug("append during shutdown", shuttingDown);
    }
    return result;
  }

  /**
   * Completes once this node has applied everything committed before the call (a Raft ReadIndex
   * round); fails with a {@link ReplicationException} of kind {@code READ_BARRIER_FAILED} when it
   * cannot confirm that.
   *
   * <p>Completed on a JRaft thread (the apply thread, a Raft RPC thread or a timer): dependent
   * stages must not block.
   */
  public CompletableFuture<Void> readBarrier() {
    CompletableFuture<Void> result = new CompletableFuture<>();
    node.readIndex(
        BytesUtil.EMPTY_BYTES,
        new ReadIndexClosure() {
          @Override
          public void run(Status status, long index, byte[] reqCtx) {
            if (status.isOk()) {
              result.complete(null);
            } else {
              result.completeExceptionally(ReplicationException.ofReadBarrier(status));
            }
          }
        });
    return result;
  }

  /** Told on the apply thread each time the log's next offset moves; must not block. */
  @Override
  public void addAppliedListener(AppliedListener l) {
    fsm.addAppliedListener(l);
  }

  @Override
  public void removeAppliedListener(AppliedListener l) {
    fsm.removeAppliedListener(l);
  }

  /**
   * Snapshots that replaced this node's store since it started (from a leader, or a lagging disk).
   */
  public int snapshotsInstalled() {
    return fsm.snapshotsInstalled();
  }

  public boolean isLeader() {
    return node.isLeader();
  }

  /** The current leader's peer entry, or null while none is known. */
  public Peer leader() {
    PeerId id = node.getLeaderId();
    if (id == null || id.isEmpty()) {
      return null;
    }
    return config.peerByRaftAddress(id.getEndpoint().toString());
  }

  /** This node's role, term and Raft indexes, as of now. */
  public RaftState state() {
    return new RaftState(
        switch (node.getNodeState()) {
          case STATE_LEADER -> RaftState.Role.LEADER;
          case STATE_FOLLOWER -> RaftState.Role.FOLLOWER;
          case STATE_CANDIDATE -> RaftState.Role.CANDIDATE;
          default -> RaftState.Role.OTHER;
        },
        fsm.term(),
        node.getLastCommittedIndex(),
        node.getLastAppliedLogIndex());
  }

  private void maybeSnapshot() {
    if (fsm.entriesSinceSnapshot() >= config.snapshotEntries()
        && snapshotRunning.compareAndSet(false, true)) {
      // node.snapshot() queues work on the apply thread this listener runs on: call it from
      // another.
      snapshotTrigger.execute(
          () ->
              node.snapshot(
                  st -> {
                    snapshotRunning.set(false);
                    if (!st.isOk() && st.getRaftError() != RaftError.EBUSY) {
                      LOG.warn("snapshot by entry count failed: {}", st);
                    }
                  }));
    }
  }

  @Override
  public void close() throws InterruptedException {
    snapshotTrigger.shutdownNow();
    group.shutdown();
    group.join();
  }

  /**
   * JRaft's defaults for its own RocksDB log let the WAL grow to 1 GiB and keep 3 x 64 MiB
   * memtables per column family; this node bounds both, so the Raft log's disk and memory stay
   * small.
   */
  private static void tuneRaftLogStorage() {
    DBOptions db = StorageOptionsFactory.getDefaultRocksDBOptions();
    db.setMaxTotalWalSize(64L << 20);
    db.setKeepLogFileNum(5);
    // Flushed entries are read back only for a lagging follower: write them past the page cache,
    // which otherwise costs a kernel copy of every byte.
    db.setUseDirectIoForFlushAndCompaction(true);
    StorageOptionsFactory.registerRocksDBOptions(RocksDBLogStorage.class, db);
    ColumnFamilyOptions cf = StorageOptionsFactory.getDefaultRocksDBColumnFamilyOptions();
    cf.setWriteBufferSize(16L << 20);
    cf.setMaxWriteBufferNumber(2);
    // Entries are written once to the WAL and once, at flush, to blob files; compaction then
    // moves only keys. Prefix truncation after a snapshot drops whole files.
    cf.setEnableBlobFiles(true);
    cf.setMinBlobSize(4096);
    cf.setBlobFileSize(64L << 20);
    StorageOptionsFactory.registerRocksDBColumnFamilyOptions(RocksDBLogStorage.class, cf);
  }
}
