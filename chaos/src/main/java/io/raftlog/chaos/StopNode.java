package io.raftlog.chaos;

import io.raftlog.testkit.ProcessCluster;

/**
 * A node restart (drawn by mode mixed): SIGTERM, so the node shuts down cleanly as in a rolling
 * upgrade, and a fresh process on its data when undone. Unlike a kill, the node leaves on purpose.
 */
final class StopNode extends OneNodeDisruption {
  private final ProcessCluster nodes;

  StopNode(Situation s, String target) {
    super("restart", s, target);
    this.nodes = s.nodes();
  }

  @Override
  public boolean mustStepDown() {
    return false;
  }

  @Override
  public void inject() throws Exception {
    nodes.stop(target);
  }

  @Override
  public void undo() throws Exception {
    nodes.start(target);
  }
}
