package io.raftlog.replication;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.ReplicatorGroup;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.core.Replicator;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.util.ThreadId;
import io.raftlog.config.Peer;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far behind a leader each of its group's followers (and learners) is, in entries: the leader's
 * last log index minus the last index its replicator knows the follower holds (the replicator's
 * next index minus one). JRaft keeps each follower's replicator in the leader's {@code
 * ReplicatorGroup}, which {@link NodeImpl} holds in a private field and no public API hands out
 * (its own per-follower gauges come only with {@code NodeOptions.enableMetrics}, whose timers sit
 * on the append path): the field is read once per node by reflection, then {@link
 * Replicator#getNextIndex} (public, under the replicator's lock) answers. Read when the metrics are
 * scraped, on the scraping thread.
 */
final class FollowerLags {
  private static final Logger LOG = LoggerFactory.getLogger(FollowerLags.class);
  private static final Field REPLICATOR_GROUP = replicatorGroupField();

  private FollowerLags() {}

  private static Field replicatorGroupField() {
    try {
      Field f = NodeImpl.class.getDeclaredField("replicatorGroup");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("JRaft's NodeImpl has no readable replicatorGroup: no follower lag metrics", e);
      return null;
    }
  }

  /**
   * Entries each follower of {@code node}'s group is behind, by node id (its Raft address if {@code
   * members} does not know it); empty unless {@code node} leads. A follower the leader has not yet
   * reached since it took the lead counts as behind by the whole log.
   */
  static Map<String, Long> of(Node node, Members members) {
    Map<String, Long> out = new TreeMap<>();
    if (REPLICATOR_GROUP == null || !(node instanceof NodeImpl) || !node.isLeader()) {
      return out;
    }
    try {
      ReplicatorGroup replicators = (ReplicatorGroup) REPLICATOR_GROUP.get(node);
      long last = node.getLastLogIndex();
      List<PeerId> followers = new ArrayList<>(node.listPeers());
      followers.addAll(node.listLearners());
      PeerId self = ((NodeImpl) node).getServerId();
      for (PeerId p : followers) {
        ThreadId id = p.equals(self) ? null : replicators.getReplicator(p);
        if (id == null) {
          continue;
        }
        long next = Replicator.getNextIndex(id); // 0 until the follower first answered
        Peer peer = members.byRaftAddress(p.getEndpoint().toString());
        out.put(
            peer != null ? peer.id() : p.getEndpoint().toString(),
            next == 0 ? last : Math.max(0, last - (next - 1)));
      }
    } catch (IllegalAccessException | RuntimeException stoppedOrStepping) {
      // The member stopped leading or is shutting down meanwhile: no lags to give.
      out.clear();
    }
    return out;
  }
}
