package io.raftlog.replication;

import com.alipay.sofa.jraft.JRaftUtils;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.NodeManager;
import com.alipay.sofa.jraft.RaftServiceFactory;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.replication.nodelog.NodeLogDb;
import io.raftlog.replication.nodelog.NodeLogServiceFactory;
import io.raftlog.replication.rafttls.RaftPortTls;
import io.raftlog.tls.CertificateWatch;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one Raft transport port of a node, shared by all its groups (the meta group and every shard
 * replica): one JRaft {@link RpcServer}, with the node's endpoint registered once in JRaft's {@link
 * NodeManager}, which routes each incoming Raft RPC to its group by group id.
 *
 * <p>Groups are started here with {@link RaftServiceFactory} instead of JRaft's {@code
 * RaftGroupService}: that class's {@code shutdown()} removes the endpoint from {@code NodeManager}
 * even when its RPC server is shared, which would cut every other group of the node off. This class
 * removes the endpoint once, in {@link #close()}, after every group has stopped.
 *
 * <p>Also owns the node's one Raft log ({@link NodeLogDb} under {@code data.dir/raft-log/}), which
 * every group started here writes through {@link NodeLogServiceFactory}: opened before any group
 * starts, closed after every group has stopped, and kept open across a member's restart. And the
 * small pool that triggers snapshots for all groups.
 *
 * <p>With {@code tls.raft.mode} on, its {@link RaftPortTls} puts TLS on the port and on the node's
 * Raft calls, taking only the certificates of {@link Members}' nodes. The port bound is {@code
 * node.raft-listen-port} when set (the others reach the node through a proxy or NAT), else the Raft
 * address's; JRaft knows the node by its Raft address either way.
 */
final class RaftTransport implements AutoCloseable {
  private final Endpoint endpoint;
  private final PeerId self;
  private final RpcServer rpcServer;
  private final NodeLogDb raftLog;
  private final NodeLogServiceFactory services;
  private final RaftPortTls tls;
  private final ThreadPoolExecutor raftRequests = raftRequestPool();
  private final ExecutorService snapshotTrigger =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "raftlog-snapshot-trigger");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param certificates the node's watch over its PEM files (its owner closes it), or null when
   *     neither port uses TLS
   */
  RaftTransport(NodeConfig config, Members members, CertificateWatch certificates) {
    this.self = PeerId.parsePeer(config.self().raftAddress());
    this.endpoint = self.getEndpoint();
    this.tls = RaftPortTls.start(config, () -> memberIds(members), certificates);
    try {
      this.raftLog = NodeLogDb.open(config.get(ConfigKeys.DATA_DIR).resolve(RAFT_LOG_DIR));
    } catch (RuntimeException e) {
      if (tls != null) {
        tls.close();
      }
      throw e;
    }
    this.services = new NodeLogServiceFactory(raftLog);
    int listen =
        config.get(ConfigKeys.NODE_RAFT_LISTEN_PORT) == 0
            ? endpoint.getPort()
            : config.get(ConfigKeys.NODE_RAFT_LISTEN_PORT);
    this.rpcServer =
        RpcFactoryHelper.rpcFactory()
            .createRpcServer(
                new Endpoint(endpoint.getIp(), listen), tls == null ? null : tls::configure);
    // These threads serve every group of the node: votes, pre-votes, snapshot installs, ReadIndex.
    RaftRpcServerFactory.addRaftRequestProcessors(
        rpcServer, raftRequests, JRaftUtils.createExecutor("raftlog-cli-rpc-", 1));
    NodeManager.getInstance().addAddress(endpoint);
    boolean listening;
    RuntimeException why = null;
    try {
      listening = rpcServer.init(null);
    } catch (RuntimeException e) { // Bolt throws when its bind fails (the port is taken)
      listening = false;
      why = e;
    }
    if (!listening) {
      NodeManager.getInstance().removeAddress(endpoint);
      raftLog.close();
      if (tls != null) {
        tls.close();
      }
      throw new IllegalStateException(
          "cannot listen for Raft traffic on port " + listen + " (is it in use?)", why);
    }
  }

  /**
   * The node ids whose certificates the Raft port takes: {@link Members}' nodes, or null (any
   * node's) while this node knows none but itself, as one that joins before the catalog reaches it.
   */
  private static Set<String> memberIds(Members members) {
    Map<String, ?> all = members.all();
    return all.size() <= 1 ? null : Set.copyOf(all.keySet());
  }

  /** Deletes what the node's Raft log holds of a group whose replica left this node. */
  void forgetLog(String groupId) {
    try {
      raftLog.forget(groupId);
    } catch (org.rocksdb.RocksDBException e) {
      throw new IllegalStateException("cannot delete the Raft log of " + groupId, e);
    }
  }

  /** The node's Raft log, under {@code data.dir}. */
  static final String RAFT_LOG_DIR = "raft-log";

  /** Threads kept for Raft requests; more are made only while these are all blocked. */
  static final int RAFT_REQUEST_THREADS = 4;

  /** At most this many: a bound, should something keep every thread blocked. */
  static final int MAX_RAFT_REQUEST_THREADS = 64;

  /**
   * The pool that runs incoming Raft requests. Three JVMs share two cores, so few threads are kept;
   * but JRaft's handlers block (a vote waits for the group's lock, which an election timer holds
   * while it connects to an unreachable peer; a snapshot install waits for its download), and a
   * request that finds every thread busy is refused at once ("Server thread pool busy"). With a
   * fixed four, a node next to a one-way-cut leader refused its peer's pre-votes for the whole cut
   * and no new leader was elected (ChaosIT#oneWayCutLeaderStepsDown). Threads beyond the four are
   * made when needed and end after a minute idle.
   */
  private static ThreadPoolExecutor raftRequestPool() {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(
        RAFT_REQUEST_THREADS,
        MAX_RAFT_REQUEST_THREADS,
        60,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        r -> {
          Thread t = new Thread(r, "raftlog-raft-rpc-" + n.getAndIncrement());
          t.setDaemon(true);
          return t;
        });
  }

  /** Starts this node's member of group {@code groupId}; it joins or forms the group. */
  Node start(String groupId, NodeOptions options) {
    options.setServiceFactory(services);
    return RaftServiceFactory.createAndInitRaftNode(groupId, self, options);
  }

  /**
   * Runs {@code task} off JRaft's threads (a snapshot request must not come from the apply thread).
   */
  void triggerSnapshot(Runnable task) {
    snapshotTrigger.execute(task);
  }

  /** Stops listening. Every group started here must have been shut down and joined. */
  @Override
  public void close() {
    snapshotTrigger.shutdownNow();
    NodeManager.getInstance().removeAddress(endpoint);
    rpcServer.shutdown();
    raftRequests.shutdown(); // made here, so stopped here (idle threads would outlive the node)
    raftLog.close();
    if (tls != null) {
      tls.close();
    }
  }
}
