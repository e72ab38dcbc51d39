package io.raftlog.client;

import io.grpc.Status;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ShardInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's view of the cluster, and nothing else (no channel, no call): which nodes exist
 * (bootstrap addresses, then what {@code GetCluster} says), the slot map ({@link ShardMap}: which
 * shard holds a stream), which node leads each shard (from {@code GetCluster}, then from the
 * outcome of every call made for a shard), and which nodes failed recently.
 *
 * <p>A node that failed at the transport level is left out for a while (the quarantine), also when
 * some node still names it as the leader: that is how the client avoids looping against a stale
 * leader while an election is under way.
 *
 * <p>Owned by the client's {@link NodeChannels}, which feeds it ({@link #learn}, {@link #observe})
 * from gRPC's threads and asks the cluster again when it calls {@link #refresh}; read from any
 * thread (callers, the producer's sender, subscriptions). Its state is in concurrent maps and
 * volatile fields.
 */
final class ClusterView {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterView.class);
  private static final long MAP_WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final long quarantineNanos;
  private final LongSupplier nanoClock;
  private final Runnable refresher;
  private final Map<String, Long> failedAt = new ConcurrentHashMap<>();
  private final Map<String, String> addressById = new ConcurrentHashMap<>();
  private final Map<Integer, String> shardLeaders = new ConcurrentHashMap<>();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final CompletableFuture<Void> mapKnown = new CompletableFuture<>();
  private final List<Runnable> leaderChanged = new CopyOnWriteArrayList<>();
  private volatile List<String> nodes;

  /** The last TLS failure for good ({@link TlsFailure}) since a call last succeeded, or null. */
  private volatile String tlsFailure;

  private volatile ShardMap map;

  /**
   * A view that starts from {@code bootstrap}, skips a failed node for {@code quarantine} as told
   * by {@code nanoClock}, and runs {@code refresher} (which asks the cluster in the background)
   * whenever it finds itself stale.
   */
  ClusterView(
      List<String> bootstrap, Duration quarantine, LongSupplier nanoClock, Runnable refresher) {
    this.nodes = List.copyOf(bootstrap);
    this.quarantineNanos = quarantine.toNanos();
    this.nanoClock = nanoClock;
    this.refresher = refresher;
    roundRobin.set((int) (nanoClock.getAsLong() & 0xffff)); // clients do not all start on one node
  }

  /** Asks the cluster again who is in it and who leads (rate-limited by the refresher). */
  void refresh() {
    refresher.run();
  }

  /**
   * Where a call for {@code shard} should go: its leader if known and healthy, else any healthy
   * node (which forwards a write to the leader). A negative shard (not known yet) means any node.
   */
  String forShard(int shard) {
    String l = shard < 0 ? null : shardLeaders.get(shard);
    if (l != null && !quarantined(l)) {
      return l;
    }
    refresh();
    return forRead();
  }

  /**
   * The next healthy node, round robin; if every node failed recently, the one that failed first.
   */
  String forRead() {
    List<String> all = nodes;
    String oldestFailure = null;
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < all.size(); i++) {
      String node = all.get(Math.floorMod(roundRobin.getAndIncrement(), all.size()));
      Long at = failedAt.get(node);
      if (at == null || !quarantined(node)) {
        return node;
      }
      if (at < oldest) {
        oldest = at;
        oldestFailure = node;
      }
    }
    return oldestFailure;
  }

  /** The client address of {@code shard}'s leader as far as this client knows, or null. */
  String leaderOf(int shard) {
    return shard < 0 ? null : shardLeaders.get(shard);
  }

  /** Whether the view names a leader of {@code shard} and it is not {@code node}. */
  boolean leadsNot(int shard, String node) {
    String leader = leaderOf(shard);
    return leader != null && !leader.equals(node);
  }

  List<String> nodes() {
    return nodes;
  }

  /** The shard of {@code stream}, or -1 while the slot map is not known. */
  int shardOf(String stream) {
    ShardMap m = map;
    return m == null ? -1 : m.shardOf(stream);
  }

  /**
   * The shard of {@code stream}, waiting up to {@code maxWaitNanos} for the slot map if it is not
   * known yet (asking the nodes meanwhile).
   *
   * @throws RaftlogException {@code UNAVAILABLE} if no node gave the map in time
   */
  int awaitShardOf(String stream, long maxWaitNanos) {
    long end = nanoClock.getAsLong() + maxWaitNanos;
    while (map == null) {
      refresh();
      long left = end - nanoClock.getAsLong();
      String tls = tlsFailure;
      if (tls != null) {
        // no node's answer will mend the client's TLS settings: say so now
        throw new RaftlogException(Status.Code.UNAVAILABLE, tls, null);
      }
      if (left <= 0) {
        String why =
            "the cluster's slot map is not known: no node of "
                + nodes
                + " answered GetCluster within "
                + TimeUnit.NANOSECONDS.toMillis(maxWaitNanos)
                + " ms";
        throw new RaftlogException(Status.Code.UNAVAILABLE, why, null);
      }
      try {
        mapKnown.get(Math.min(left, MAP_WAIT_SLICE_NANOS), TimeUnit.NANOSECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // ask again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RaftlogException(Status.Code.CANCELLED, "interrupted while waiting", e);
      }
    }
    return map.shardOf(stream);
  }

  /** The slot map, or null while none is known. */
  ShardMap map() {
    return map;
  }

  /**
   * Whether one node's own view is enough for a refresh: every member's address and the slot map
   * are known, so it answers at once with its shards' leaders, even while a peer is frozen.
   */
  boolean knowsMembers() {
    return map != null && addressById.size() >= 2 && addressById.size() >= nodes.size();
  }

  /** Takes the members, the slot map and the shard leaders from a GetCluster answer. */
  void learn(GetClusterResponse cluster) {
    List<String> members = new ArrayList<>();
    for (NodeInfo n : cluster.getNodesList()) {
      if (!n.getClientAddress().isEmpty()) {
        members.add(n.getClientAddress());
        addressById.put(n.getId(), n.getClientAddress());
      }
    }
    // A single-node answer (local_only) names no peers: keep the members known so far.
    if (members.size() > 1 && !members.equals(nodes)) {
      LOG.debug("cluster members: {}", members);
      nodes = List.copyOf(members);
    }
    // A shard whose leader the answering node does not know keeps the one known so far: a call
    // there fails over if it is stale.
    for (ShardInfo s : cluster.getShardsList()) {
      String address = addressById.get(s.getLeaderId());
      if (address != null) {
        leads(s.getId(), address);
      }
    }
    // Published after the leaders: a send waiting for the map must find its shard's leader when it
    // wakes, not open its stream on any node.
    try {
      ShardMap m = ShardMap.from(cluster);
      if (m != null && !m.equals(map)) {
        LOG.debug("slot map: {}", m);
        map = m;
        mapKnown.complete(null);
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("ignoring a slot map that does not cover every slot: {}", e.getMessage());
    }
  }

  /**
   * Runs {@code listener} whenever the view learns a shard leader it did not know, on the thread
   * that learned it (a gRPC thread): it must only hand the news on (the producer's sender wakes, so
   * a shard waiting to resend goes to the new leader at once rather than after its backoff).
   */
  void onLeaderChange(Runnable listener) {
    leaderChanged.add(listener);
  }

  /** A node's answer named {@code address} as the leader of {@code shard}. */
  void leads(int shard, String address) {
    String old = shardLeaders.put(shard, address);
    if (!address.equals(old)) {
      LOG.debug("shard {} leader: {} (was {})", shard, address, old);
      leaderChanged.forEach(Runnable::run);
    }
  }

  /**
   * A call to {@code node} ended: its outcome teaches the view who leads {@code shard} (null for a
   * call made for no shard) and which nodes are alive. {@code answered} says whether the node
   * itself answered (its {@code raftlog-node} header came back) rather than gRPC reporting that the
   * node could not be reached; {@code hint} is the leader the answer named, if any.
   */
  void observe(String node, Integer shard, Status status, boolean answered, String hint) {
    Status.Code code = status.getCode();
    String tls = TlsFailure.explain(status);
    if (tls != null || status.isOk()) {
      tlsFailure = tls == null ? null : "cannot reach " + node + " with TLS: " + tls;
    }
    if (status.isOk()) {
      failedAt.remove(node);
    } else if (code == Status.Code.DEADLINE_EXCEEDED
        || (!answered && (code == Status.Code.UNAVAILABLE || code == Status.Code.UNKNOWN))) {
      failedAt.put(node, nanoClock.getAsLong());
      // A node that cannot be reached leads nothing the client can use.
      shardLeaders.values().removeIf(node::equals);
      refresh();
    } else if (code == Status.Code.UNAVAILABLE) {
      // The node answered but could not serve the shard (no leader: an election is under way, or
      // it was not the leader and could not forward): ask again who leads.
      if ((hint == null || hint.equals(node)) && shard != null) {
        shardLeaders.remove(shard, node);
      }
      refresh();
    }
    if (hint != null && shard != null && !(code == Status.Code.UNAVAILABLE && hint.equals(node))) {
      leads(shard, hint);
    }
  }

  private boolean quarantined(String node) {
    Long at = failedAt.get(node);
    if (at == null) {
      return false;
    }
    if (nanoClock.getAsLong() - at > quarantineNanos) {
      failedAt.remove(node, at);
      return false;
    }
    return true;
  }
}
