package io.raftlog.replication;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.entity.PeerId;
import io.raftlog.config.Peer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one INFO line per state change of one group member (a shard's replica, or this node's member
 * of the meta group), in one form: the group ({@code shard 3} or {@code meta}), the term and the
 * node, e.g. {@code node 2 leads shard 3 in term 7}. All lines go to this class's logger, so an
 * operator can follow (or filter) them alone; README.md ("Logs") lists them. Made by the {@link
 * GroupMember} it describes; called on JRaft's apply thread (role changes, snapshots) and on the
 * threads that hand leaderships over.
 */
final class StateChanges {
  private static final Logger LOG = LoggerFactory.getLogger(StateChanges.class);

  private final String group;
  private final String node;
  private final Members members;

  StateChanges(String groupId, String node, Members members) {
    this.group = label(groupId);
    this.node = node;
    this.members = members;
  }

  /** {@code shard 3} for the JRaft group {@code shard-3}; {@code meta} for the meta group. */
  static String label(String groupId) {
    return groupId.startsWith("shard-") ? "shard " + groupId.substring(6) : groupId;
  }

  void leads(long term) {
    LOG.info("node {} leads {} in term {}", node, group, term);
  }

  void stopsLeading(long term, Status why) {
    LOG.info("node {} no longer leads {} (term {}): {}", node, group, term, why.getErrorMsg());
  }

  void follows(PeerId leader, long term) {
    LOG.info("{}: node {} follows leader {} in term {}", group, node, nodeOf(leader), term);
  }

  void lostLeader(PeerId leader, long term, Status why) {
    LOG.info(
        "{}: node {} lost leader {} (term {}): {}",
        group,
        node,
        nodeOf(leader),
        term,
        why.getErrorMsg());
  }

  void handsOver(Peer to, long term, String why) {
    LOG.info(
        "{}: node {} hands leadership to node {} in term {}: {}", group, node, to.id(), term, why);
  }

  void snapshotTaken(long index, long bytes, long ms) {
    LOG.info(
        "{}: node {} took a snapshot at index {} ({} bytes, {} ms)", group, node, index, bytes, ms);
  }

  void snapshotInstalled(long index, long localWas) {
    LOG.info(
        "{}: node {} installed the leader's snapshot at index {} (its store was at {})",
        group,
        node,
        index,
        localWas);
  }

  /** The node id of a Raft peer, or its Raft address if it is not a member (any more). */
  private String nodeOf(PeerId peer) {
    if (peer == null || peer.isEmpty()) {
      return "(none)";
    }
    Peer p = members.byRaftAddress(peer.getEndpoint().toString());
    return p == null ? peer.getEndpoint().toString() : p.id();
  }
}
