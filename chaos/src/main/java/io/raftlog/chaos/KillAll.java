package io.raftlog.chaos;

import io.raftlog.testkit.ProcessCluster;
import java.util.List;

/** kill -9 every node at once (mode all), start them all again when undone. */
final class KillAll implements Disruption {
  private final ProcessCluster nodes;

  KillAll(Situation s) {
    this.nodes = s.nodes();
  }

  @Override
  public String kind() {
    return "all";
  }

  @Override
  public List<String> targets() {
    return nodes.ids();
  }

  @Override
  public List<String> survivors() {
    return List.of();
  }

  @Override
  public boolean mustStepDown() {
    return false;
  }

  @Override
  public void inject() throws Exception {
    nodes.kill9All();
  }

  @Override
  public void undo() throws Exception {
    nodes.startAll();
  }
}
