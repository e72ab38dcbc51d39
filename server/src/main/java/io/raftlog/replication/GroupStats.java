package io.raftlog.replication;

import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import io.raftlog.config.Peer;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the metrics read of one of this node's group members (a shard replica or the meta group's):
 * its role, term and Raft indexes, whether it knows a leader, its followers' lag when it leads, its
 * {@link GroupEvents} and, for a shard, how many streams its store holds. Plain values, read on the
 * caller's thread when asked (a scrape), never pushed. Made by the group's owner ({@link
 * ReplicatedLog}, {@link Catalog}) for its member's life.
 */
public final class GroupStats {
  /** The {@link #group()} of the meta group. */
  public static final String META = "meta";

  private final String group;
  private final GroupMember member;
  private final GroupStateMachine fsm;
  private final LongSupplier streams; // null for the meta group
  private final Members members;
  private final String self;
  private volatile long lastLogIndex;

  GroupStats(
      String group,
      GroupMember member,
      GroupStateMachine fsm,
      LongSupplier streams,
      Members members,
      String self) {
    this.group = group;
    this.member = member;
    this.fsm = fsm;
    this.streams = streams;
    this.members = members;
    this.self = self;
  }

  /** {@link #META} for the meta group, else the shard's number. */
  public String group() {
    return group;
  }

  /** Role, term, commit and applied index, as of now. */
  public RaftState state() {
    return member.state(fsm.term());
  }

  /** Whether this member follows the group as a learner (without a vote). */
  public boolean learner() {
    Configuration c = fsm.committedConf();
    Peer me = members.byId(self);
    return c != null && me != null && c.listLearners().contains(PeerId.parsePeer(me.raftAddress()));
  }

  public boolean leaderKnown() {
    return member.leader() != null;
  }

  /** Index of the last entry in this member's log (the last one read while it is not active). */
  public long lastLogIndex() {
    try {
      lastLogIndex = member.node().getLastLogIndex();
    } catch (IllegalStateException notActive) {
      // keeps the last one read
    }
    return lastLogIndex;
  }

  /** Entries each follower (and learner) is behind, by node id; empty unless this member leads. */
  public Map<String, Long> followerLags() {
    return FollowerLags.of(member.node(), members);
  }

  public GroupEvents events() {
    return fsm.events();
  }

  /** Whether the group's store holds streams (a shard's does; the meta group's does not). */
  public boolean holdsStreams() {
    return streams != null;
  }

  /** Streams in the shard's store, as applied here (O(1)); 0 for the meta group. */
  public long streams() {
    return streams == null ? 0 : streams.getAsLong();
  }
}
