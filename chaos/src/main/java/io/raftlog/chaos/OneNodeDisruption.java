package io.raftlog.chaos;

import java.util.List;

/**
 * A {@link Disruption} aimed at one node: what it is called, the node, and the other nodes, which
 * must agree on new leaders while it is in effect. Subclasses say what they do to the node and
 * whether it must step down.
 */
abstract class OneNodeDisruption implements Disruption {
  private final String kind;
  protected final String target;
  private final List<String> survivors;

  OneNodeDisruption(String kind, Situation s, String target) {
    this.kind = kind;
    this.target = target;
    this.survivors = s.others(target);
  }

  @Override
  public final String kind() {
    return kind;
  }

  @Override
  public final List<String> targets() {
    return List.of(target);
  }

  @Override
  public final List<String> survivors() {
    return survivors;
  }
}
