package io.raftlog.chaos;

import io.raftlog.testkit.NetworkNamespaces;
import java.util.List;

/**
 * Mode one-way: the picked shard's leader can no longer send to its followers, but still receives
 * from them (a blackhole route on its side only), healed when undone. Its heartbeats stop, so the
 * followers elect a leader among themselves; their packets still reach it, so it may learn of the
 * newer term over a connection they opened before the cut, while its answers never leave. Clients
 * reach every node throughout.
 */
final class OneWayCut implements Disruption {
  private final NetworkNamespaces network;
  private final String target;
  private final List<String> followers;

  OneWayCut(Situation s, String target) {
    this.network = s.requireNetwork("one-way");
    this.target = target;
    this.followers = s.others(target);
  }

  @Override
  public String kind() {
    return "one-way";
  }

  @Override
  public List<String> targets() {
    return List.of(target);
  }

  @Override
  public List<String> survivors() {
    return followers;
  }

  @Override
  public boolean mustStepDown() {
    return true;
  }

  @Override
  public void inject() throws Exception {
    for (String f : followers) {
      network.cut(target, f);
    }
  }

  @Override
  public void undo() throws Exception {
    for (String f : followers) {
      network.heal(target, f);
    }
  }
}
