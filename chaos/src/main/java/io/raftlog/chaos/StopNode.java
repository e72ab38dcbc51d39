package io.raftlog.chaos;

import io.raftlog.testkit.ProcessCluster;
import java.util.List;

/**
 * A node restart (drawn by mode mixed): SIGTERM, so the node shuts down cleanly as in a rolling
 * upgrade, and a fresh process on its data when undone. Unlike a kill, the node leaves on purpose.
 */
final class StopNode implements Disruption {
  private final ProcessCluster nodes;
  private final String target;
  private final List<String> survivors;

  StopNode(Situation s, String target) {
    this.nodes = s.nodes();
    this.target = target;
    this.survivors = s.others(target);
  }

  @Override
  public String kind() {
    return "restart";
  }

  @Override
  public List<String> targets() {
    return List.of(target);
  }

  @Override
  public List<String> survivors() {
    return survivors;
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
