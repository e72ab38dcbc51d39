package io.raftlog.chaos;

import io.raftlog.testkit.ProcessCluster;

/**
 * SIGSTOP the picked shard's leader past the election timeout (mode pause), SIGCONT when undone: it
 * wakes up believing it still leads, and must find itself in a newer term in every shard it led.
 */
final class PauseNode extends OneNodeDisruption {
  private final ProcessCluster nodes;

  PauseNode(Situation s, String target) {
    super("pause", s, target);
    this.nodes = s.nodes();
  }

  @Override
  public boolean mustStepDown() {
    return true;
  }

  @Override
  public void inject() throws Exception {
    nodes.pause(target);
  }

  @Override
  public void undo() throws Exception {
    nodes.resume(target);
  }
}
