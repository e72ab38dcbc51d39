package io.raftlog.replication;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's member of one Raft group (a shard or the meta group): the JRaft {@link Node} and the
 * few things both kinds of group need from it (propose, read barrier, who leads, state, leadership
 * transfer). Owned by the group's class ({@link ReplicatedLog} or {@link Catalog}).
 */
final class GroupMember implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupMember.class);
  private static final int BATCHING_BYTES = 4 << 20;

  /**
   * A leader heartbeats each follower every election timeout divided by this (200 ms at 600 ms).
   * Heartbeats were most of an idle node's CPU: one RPC per group per follower, answered, every
   * interval (JRaft's default of 10, 60 ms, made 24 shards cost 21 % of a core idle). Failure
   * detection does not depend on it: a follower starts an election once it has heard nothing for
   * the election timeout (NodeImpl#isCurrentLeaderValid), however often the leader spoke before.
   * What it bounds is how late a heartbeat may be before a live leader looks dead: a follower needs
   * one within the election timeout (slack 600 - 200 ms), and the leader steps down unless a
   * majority answered an RPC sent within its lease, 90 % of the timeout (NodeImpl#checkDeadNodes0;
   * slack 540 - 200 ms). Three keeps a third of the timeout or more for a stalled thread or a GC
   * pause, where JRaft's ten kept 90 %; two would leave a late heartbeat only 240 ms.
   */
  static final int HEARTBEATS_PER_ELECTION_TIMEOUT = 3;

  /**
   * A snapshot install copies the leader's snapshot files in GetFile RPCs of this many bytes, one
   * at a time, each written to the follower's disk as it arrives (CopySession, copy to file): what
   * an install holds in memory on either side is about one chunk. JRaft's 128 KiB made a 2 GB shard
   * sixteen thousand round trips, each waiting on the last; 1 MiB cuts that eightfold and stays far
   * below the JVM's heap.
   */
  static final int SNAPSHOT_CHUNK_BYTES = 1 << 20;

  /**
   * How long a leader waits for a follower's answer to InstallSnapshot, which comes only once the
   * follower downloaded and loaded the whole snapshot. JRaft's 5 minutes is 2 GB at 7 MB/s, which a
   * busy disk can fall below; past it the leader sends the request again and the follower goes on
   * with the same download (SnapshotExecutorImpl joins it), so this only spares a retry.
   */
  static final int INSTALL_SNAPSHOT_TIMEOUT_MS = 30 * 60_000;

  private final String groupId;
  private final NodeConfig config;
  private final Members members;
  private final List<Peer> replicas;
  private final RaftTransport transport;
  private final NodeOptions options;
  // Replaced by restart(); read by every caller's thread.
  private volatile Node node;
  // The commit and applied index state() last read, for while the member is not active.
  private volatile long[] lastIndexes = {0, 0};
  // Set while a restart stopped the old member but has not started a new one: retry it.
  private volatile boolean restartFailed;

  /**
   * Starts the member of {@code groupId} over {@code replicas}, with its Raft log, metadata and
   * snapshots under {@code dir}, applying to {@code fsm}. {@code replicas} is the group's first
   * configuration, used only while its Raft log holds none (JRaft reads the configuration from the
   * log and snapshot); empty for a member added to a running group, which waits for the leader.
   * {@code learners}: nodes that follow the group without voting, in that first configuration.
   */
  GroupMember(
      String groupId,
      NodeConfig config,
      Members members,
      List<Peer> replicas,
      List<Peer> learners,
      Path dir,
      GroupStateMachine fsm,
      RaftTransport transport) {
    this.groupId = groupId;
    this.config = config;
    this.members = members;
    this.replicas = List.copyOf(replicas);
    this.transport = transport;
    fsm.stateChanges(new StateChanges(groupId, config.get(ConfigKeys.NODE_ID), members));
    Configuration conf = new Configuration();
    for (Peer p : replicas) {
      conf.addPeer(PeerId.parsePeer(p.raftAddress()));
    }
    for (Peer p : learners) {
      conf.addLearner(PeerId.parsePeer(p.raftAddress()));
    }
    NodeOptions opts = new NodeOptions();
    opts.setFsm(fsm);
    opts.setInitialConf(conf);
    opts.setElectionTimeoutMs(config.get(ConfigKeys.ELECTION_TIMEOUT_MS));
    opts.getRaftOptions().setMaxElectionDelayMs(config.get(ConfigKeys.MAX_ELECTION_DELAY_MS));
    // JRaft pings a peer it has no connection to while holding the group's lock (NodeImpl#preVote,
    // #electSelf), for up to this long. At its default (1 s, above the 600 ms election timeout) a
    // peer that takes connections but never answers (a one-way cut) kept the survivors' locks held
    // so long that their votes to each other timed out waiting for them: no leader for the whole
    // cut. A third of the election timeout leaves each vote time to be answered; a connect that
    // takes longer only skips that peer for one round.
    opts.setRpcConnectTimeoutMs(Math.max(100, config.get(ConfigKeys.ELECTION_TIMEOUT_MS) / 3));
    opts.setSnapshotIntervalSecs(config.get(ConfigKeys.SNAPSHOT_INTERVAL_SECS));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    // JRaft requires a log URI; the log itself is the node's shared one (RaftTransport), which
    // knows a group by its id.
    opts.setLogUri(dir.resolve("log").toString());
    opts.setRaftMetaUri(dir.resolve("meta").toString());
    opts.setSnapshotUri(dir.resolve("snapshot").toString());
    opts.setTimerPoolSize(2);
    // Private timers are hashed wheels that tick every millisecond even when idle, per group; the
    // shared ones serve every group of the node and sleep until a timeout is due.
    opts.setSharedElectionTimer(true);
    opts.setSharedVoteTimer(true);
    opts.setSharedStepDownTimer(true);
    opts.setSharedSnapshotTimer(true);
    RaftOptions raft = opts.getRaftOptions();
    raft.setElectionHeartbeatFactor(HEARTBEATS_PER_ELECTION_TIMEOUT);
    raft.setSync(true); // an acknowledged batch is on a majority's disks
    // One entry is one client batch (up to log.max-batch-bytes). Let one fsync and one
    // AppendEntries carry several of them; JRaft's defaults (256 KiB, 512 KiB) cut at one or two.
    raft.setMaxAppendBufferSize(BATCHING_BYTES);
    raft.setMaxBodySize(BATCHING_BYTES);
    // AppendEntries in flight to one follower, each up to BATCHING_BYTES: bounds what a catching-up
    // follower's replicator holds (JRaft's default of 256 would allow 1 GiB). Toward a frozen
    // follower they time out after the RPC timeout (5 s) and the replicator only probes after that;
    // Bolt refuses writes to a connection with 64 KiB unsent, so nothing queues for it meanwhile
    // (SlowFollowerIT measures it; docs/design/streams.md, "A slow or stopped follower").
    raft.setMaxReplicatorInflightMsgs(16);
    raft.setMaxByteCountPerRpc(SNAPSHOT_CHUNK_BYTES);
    opts.setRpcInstallSnapshotTimeout(INSTALL_SNAPSHOT_TIMEOUT_MS);
    long throttle = config.get(ConfigKeys.REBALANCE_MAX_BYTES_PER_SEC);
    if (throttle > 0) {
      // Bounds what this node reads for snapshot downloads (the leader's side of a move's
      // catch-up).
      opts.setSnapshotThrottle(
          new com.alipay.sofa.jraft.storage.snapshot.ThroughputSnapshotThrottle(throttle, 1));
    }
    opts.setRaftOptions(raft);
    this.options = opts;
    this.node = transport.start(groupId, opts);
  }

  /**
   * Whether JRaft stopped this member on an error (a failed write to its Raft log, metadata or
   * snapshot, or a state machine that could not apply): it then neither votes nor replicates until
   * {@link #restart}.
   */
  boolean inError() {
    return restartFailed || node.getNodeState() == com.alipay.sofa.jraft.core.State.STATE_ERROR;
  }

  /**
   * Stops this member and starts it again on the same directories and state machine, the way a
   * process restart would: JRaft keeps a member in STATE_ERROR for good, and only a new one reads
   * its log, metadata and snapshot from disk again. {@code beforeStart} runs once the old member
   * has stopped (no apply thread runs then). Called by {@link DiskGuard}'s thread; callers on other
   * threads meanwhile reach the stopped member and are told it is shutting down.
   *
   * @throws IllegalStateException if the new member does not start (it is tried again later)
   */
  synchronized void restart(Runnable beforeStart) throws InterruptedException {
    Node old = node;
    old.shutdown();
    old.join();
    restartFailed = true;
    beforeStart.run();
    // NodeOptions.copy() leaves out the state machine, directories and peers: set them again.
    NodeOptions again = options.copy();
    again.setFsm(options.getFsm());
    again.setInitialConf(options.getInitialConf().copy());
    again.setLogUri(options.getLogUri());
    again.setRaftMetaUri(options.getRaftMetaUri());
    again.setSnapshotUri(options.getSnapshotUri());
    node = transport.start(groupId, again);
    restartFailed = false;
    LOG.info("{}: member restarted on its data", groupId);
  }

  String groupId() {
    return groupId;
  }

  /**
   * The group's voters: the leader's configuration on the leader; elsewhere as the last
   * configuration this member applied says (JRaft tells the new voters of each change), or its
   * first configuration before any.
   */
  List<Peer> replicas() {
    List<PeerId> peers = null;
    if (node.isLeader()) {
      peers = node.listPeers();
    }
    if (peers == null) {
      Configuration c = fsm().committedConf();
      peers = c == null ? null : c.listPeers();
    }
    return peers == null ? replicas : peers(peers);
  }

  /**
   * The group's learners, as its leader knows them; null on another member (JRaft tells a
   * follower's state machine only of voters).
   */
  List<Peer> learners() {
    if (!node.isLeader()) {
      return null;
    }
    List<PeerId> learners = node.listLearners();
    return learners == null ? null : peers(learners);
  }

  private List<Peer> peers(List<PeerId> ids) {
    return ids.stream()
        .map(p -> members.byRaftAddress(p.getEndpoint().toString()))
        .filter(Objects::nonNull)
        .toList();
  }

  private GroupStateMachine fsm() {
    return (GroupStateMachine) options.getFsm();
  }

  /**
   * Changes the group's membership to {@code voters} and {@code learners} (this node must lead it):
   * new voters catch up before they count, then joint consensus, then the new configuration. JRaft
   * runs {@code done} once it is committed, or refused (EBUSY while another change runs).
   */
  void changePeers(List<Peer> voters, List<Peer> learners, Closure done) {
    Configuration conf = new Configuration();
    voters.forEach(p -> conf.addPeer(PeerId.parsePeer(p.raftAddress())));
    learners.forEach(p -> conf.addLearner(PeerId.parsePeer(p.raftAddress())));
    node.changePeers(conf, done);
  }

  /** Proposes an entry; JRaft runs {@code done} once it is applied or refused. */
  void propose(byte[] entry, Closure done) {
    try {
      node.apply(new Task(ByteBuffer.wrap(entry), done));
    } catch (IllegalStateException shuttingDown) {
      // JRaft also runs the closure with ENODESHUTDOWN; nothing more to do here.
      LOG.debug("propose during shutdown", shuttingDown);
    }
  }

  /**
   * Completes once this member has applied everything committed before the call (a Raft ReadIndex
   * round); fails with a {@link ReplicationException} of kind {@code READ_BARRIER_FAILED}.
   * Completed on a JRaft thread: dependent stages must not block.
   *
   * <p>While the group is between leaders the round is tried again ({@link ReadBarrier}) for up to
   * an election timeout plus its random delay, the time a new leader takes to be known.
   */
  CompletableFuture<Void> readBarrier() {
    return ReadBarrier.start(
        () -> node,
        (long) config.get(ConfigKeys.ELECTION_TIMEOUT_MS)
            + config.get(ConfigKeys.MAX_ELECTION_DELAY_MS));
  }

  boolean isLeader() {
    return node.isLeader();
  }

  /** The current leader's peer entry, or null while none is known. */
  Peer leader() {
    PeerId id = node.getLeaderId();
    if (id == null || id.isEmpty()) {
      return null;
    }
    return members.byRaftAddress(id.getEndpoint().toString());
  }

  /** Replicas the leader heard from lately (this node included); empty unless this node leads. */
  List<Peer> alivePeers() {
    if (!node.isLeader()) {
      return List.of();
    }
    return node.listAlivePeers().stream()
        .map(p -> members.byRaftAddress(p.getEndpoint().toString()))
        .filter(Objects::nonNull)
        .toList();
  }

  /** As {@link #transferLeadershipTo(Peer)}, first logging the hand-over and {@code why}. */
  boolean transferLeadershipTo(Peer to, String why) {
    fsm().stateChanges().handsOver(to, fsm().term(), why);
    return transferLeadershipTo(to);
  }

  /** Asks JRaft to hand leadership to {@code to}; false if it refused at once. */
  boolean transferLeadershipTo(Peer to) {
    Status s = node.transferLeadershipTo(PeerId.parsePeer(to.raftAddress()));
    if (!s.isOk()) {
      LOG.info("{}: leadership transfer to node {} refused: {}", groupId, to.id(), s);
    }
    return s.isOk();
  }

  /**
   * This member's role, term and Raft indexes, as of now. A member JRaft stopped on an error (or
   * that is restarting) has no indexes to give (JRaft throws): it reports role OTHER and the
   * indexes it last had.
   */
  RaftState state(long term) {
    Node n = node;
    RaftState.Role role =
        switch (n.getNodeState()) {
          case STATE_LEADER -> RaftState.Role.LEADER;
          case STATE_FOLLOWER -> RaftState.Role.FOLLOWER;
          case STATE_CANDIDATE -> RaftState.Role.CANDIDATE;
          default -> RaftState.Role.OTHER;
        };
    try {
      lastIndexes = new long[] {n.getLastCommittedIndex(), n.getLastAppliedLogIndex()};
    } catch (IllegalStateException notActive) {
      role = RaftState.Role.OTHER;
    }
    long[] indexes = lastIndexes;
    return new RaftState(role, term, indexes[0], indexes[1]);
  }

  /** The JRaft node now (a restart replaces it): for {@link GroupStats}' reads. */
  Node node() {
    return node;
  }

  /**
   * Asks for a snapshot now; {@code done} is told how it went. Must not run on the apply thread.
   */
  void snapshot(Closure done) {
    node.snapshot(done);
  }

  /** Starts stopping; {@link #join()} waits for it. */
  synchronized void shutdown() {
    node.shutdown();
  }

  void join() throws InterruptedException {
    node.join();
  }

  @Override
  public void close() throws InterruptedException {
    shutdown();
    join();
  }
}
