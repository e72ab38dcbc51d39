package io.raftlog.chaos;

/**
 * Mode move's membership fault: a node joins while the picked shard's leader is drained, so that
 * the shards it led get new leaders and its replicas move off while the writes go on; once it is
 * DRAINED it is removed and stopped, and the fault ends when the placement has settled (every shard
 * at its replication factor on the nodes left and the one that joined, nothing moving). The joiner
 * takes the addresses of the node the previous such fault drained, when there was one, with an
 * empty data directory and a new id.
 */
final class JoinAndDrain extends OneNodeDisruption {
  private final Membership members;
  private String joiner;

  JoinAndDrain(Situation s, String target, Membership members) {
    super("move", s, target);
    this.members = members;
  }

  @Override
  public boolean mustStepDown() {
    return false;
  }

  /** The joiner's process starts (its JVM takes a while), then DrainNode, which answers at once. */
  @Override
  public void inject() throws Exception {
    joiner = members.startJoining(true);
    members.drain(target);
  }

  @Override
  public void undo() throws Exception {
    long joined = members.awaitJoined(joiner);
    long drained = members.awaitDrained(target);
    members.removeDrained(target);
    long settled = members.awaitSettled();
    members
        .log()
        .printf(
            "chaos: node %s registered %d ms after the downtime, node %s drained %d ms after that,"
                + " removed and stopped; placement settled %d ms later (replicas/leaders per node %s)%n",
            joiner, joined, target, drained, settled, Placement.counts(members.view()));
  }
}
