package io.raftlog.chaos;

import io.raftlog.testkit.ProcessCluster;
import java.util.List;

/**
 * kill -9 one node (modes leader, follower, node), start it again on its data when undone. A fresh
 * process, so there is no old term to step down from.
 */
final class KillNode implements Disruption {
  private final String kind;
  private final ProcessCluster nodes;
  private final String target;
  private final List<String> survivors;

  KillNode(String kind, Situation s, String target) {
    this.kind = kind;
    this.nodes = s.nodes();
    this.target = target;
    this.survivors = s.others(target);
  }

  @Override
  public String kind() {
    return kind;
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
    nodes.kill9(target);
  }

  @Override
  public void undo() throws Exception {
    nodes.start(target);
  }
}
