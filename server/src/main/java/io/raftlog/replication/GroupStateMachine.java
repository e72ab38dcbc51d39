package io.raftlog.replication;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.LeaderChangeContext;
import com.alipay.sofa.jraft.error.RaftException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every group's state machine (a shard's, the meta group's) reports about its member's role:
 * whether a leader is known ({@link RoleListener}, the node's health), whether this member leads,
 * and the last term it saw a leader in. JRaft calls these on the group's apply thread.
 */
abstract class GroupStateMachine extends StateMachineAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(GroupStateMachine.class);

  private volatile RoleListener roleListener = known -> {};
  private final GroupEvents events = new GroupEvents();
  private volatile long term;
  // The group's membership as the last configuration entry this member applied (or its snapshot)
  // says; null until one is applied.
  private volatile com.alipay.sofa.jraft.conf.Configuration committedConf;
  private volatile Runnable confListener = () -> {};
  private volatile StateChanges changes; // null until its member names it

  /** Where this member's state changes are logged, one INFO line each. */
  void stateChanges(StateChanges changes) {
    this.changes = changes;
  }

  /** The log of this member's state changes; null before its member set it. */
  StateChanges stateChanges() {
    return changes;
  }

  void roleListener(RoleListener listener) {
    this.roleListener = listener;
  }

  /** Leaders seen and snapshots taken and installed, for the metrics. */
  GroupEvents events() {
    return events;
  }

  /** The last term this member saw a leader in (its own included). */
  long term() {
    return term;
  }

  /** The group's voters and learners as last committed and applied here; null before any. */
  com.alipay.sofa.jraft.conf.Configuration committedConf() {
    return committedConf;
  }

  /** Told (on the apply thread) after each configuration this member applies. */
  void confListener(Runnable listener) {
    this.confListener = listener;
  }

  @Override
  public void onConfigurationCommitted(com.alipay.sofa.jraft.conf.Configuration conf) {
    this.committedConf = conf.copy();
    confListener.run();
  }

  /** Told on the apply thread when this member starts ({@code true}) or stops leading. */
  protected void onLeadership(boolean leads) {}

  @Override
  public void onLeaderStart(long term) {
    this.term = term;
    events.leaderChanged();
    if (changes != null) {
      changes.leads(term);
    }
    roleListener.onLeaderKnown(true);
    onLeadership(true);
  }

  @Override
  public void onLeaderStop(Status status) {
    if (changes != null) {
      changes.stopsLeading(term, status);
    }
    roleListener.onLeaderKnown(false);
    onLeadership(false);
  }

  @Override
  public void onStartFollowing(LeaderChangeContext ctx) {
    this.term = ctx.getTerm();
    events.leaderChanged();
    if (changes != null) {
      changes.follows(ctx.getLeaderId(), ctx.getTerm());
    }
    roleListener.onLeaderKnown(true);
  }

  @Override
  public void onStopFollowing(LeaderChangeContext ctx) {
    if (changes != null) {
      changes.lostLeader(ctx.getLeaderId(), ctx.getTerm(), ctx.getStatus());
    }
    roleListener.onLeaderKnown(false);
  }

  @Override
  public void onError(RaftException e) {
    LOG.error("a Raft group member stopped on an error: {}", e.getStatus(), e);
    roleListener.onLeaderKnown(false);
  }
}
