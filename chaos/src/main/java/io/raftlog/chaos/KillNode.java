package io.raftlog.chaos;

import io.raftlog.testkit.ProcessCluster;

/**
 * kill -9 one node (modes leader, follower, node), start it again on its data when undone. A fresh
 * process, so there is no old term to step down from.
 */
final class KillNode extends OneNodeDisruption {
  private final ProcessCluster nodes;

  KillNode(String kind, Situation s, String target) {
    super(kind, s, target);
    this.nodes = s.nodes();
  }

  @Override
  public boolean mustStepDown() {
    return false;
  }

  @Override
  public void inject() throws Exception {
    nodes.kill9(target);
  }

  @Override
  public void undo() throws Exception {
    nodes.start(target);
  }
}
