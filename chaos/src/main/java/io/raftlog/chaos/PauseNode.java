package io.raftlog.chaos;

import io.raftlog.testkit.ProcessCluster;
import java.util.List;

/**
 * SIGSTOP the picked shard's leader past the election timeout (mode pause), SIGCONT when undone: it
 * wakes up believing it still leads, and must find itself in a newer term in every shard it led.
 */
final class PauseNode implements Disruption {
  private final ProcessCluster nodes;
  private final String target;
  private final List<String> survivors;

  PauseNode(Situation s, String target) {
    this.nodes = s.nodes();
    this.target = target;
    this.survivors = s.others(target);
  }

  @Override
  public String kind() {
    return "pause";
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
