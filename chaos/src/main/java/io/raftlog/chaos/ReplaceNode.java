package io.raftlog.chaos;

import java.util.List;

/**
 * Mode replace's fault: kill -9 the picked shard's leader; once the downtime is over, remove it as
 * dead (RemoveNode with dead), wait until every shard it held is back at its replication factor on
 * the nodes left, then start a fresh node (a new id, an empty data directory) that joins through
 * cluster.join, and end when the placement has settled with it.
 */
final class ReplaceNode extends OneNodeDisruption {
  private final Situation s;
  private final Membership members;

  ReplaceNode(Situation s, String target, Membership members) {
    super("replace", s, target);
    this.s = s;
    this.members = members;
  }

  @Override
  public boolean mustStepDown() {
    return false;
  }

  @Override
  public void inject() throws Exception {
    s.nodes().kill9(target);
  }

  @Override
  public void undo() throws Exception {
    List<Integer> repair = members.removeDead(target);
    long replicated = members.awaitReplicated();
    String joiner = members.startJoining(false);
    long joined = members.awaitJoined(joiner);
    long settled = members.awaitSettled();
    members
        .log()
        .printf(
            "chaos: node %s removed as dead, shards %s to repair: every shard at its replication"
                + " factor %d ms after RemoveNode; node %s joined %d ms after it started, placement"
                + " settled %d ms later (replicas/leaders per node %s)%n",
            target, repair, replicated, joiner, joined, settled, Placement.counts(members.view()));
  }
}
