package io.raftlog.chaos;

import io.raftlog.testkit.NetworkNamespaces;

/**
 * Mode one-way: the picked shard's leader can no longer send to its followers, but still receives
 * from them (a blackhole route on its side only), healed when undone. Its heartbeats stop, so the
 * followers elect a leader among themselves; their packets still reach it, so it may learn of the
 * newer term over a connection they opened before the cut, while its answers never leave. Clients
 * reach every node throughout.
 */
final class OneWayCut extends OneNodeDisruption {
  private final NetworkNamespaces network;

  OneWayCut(Situation s, String target) {
    super("one-way", s, target);
    this.network = s.requireNetwork("one-way");
  }

  @Override
  public boolean mustStepDown() {
    return true;
  }

  @Override
  public void inject() throws Exception {
    for (String f : survivors()) {
      network.cut(target, f);
    }
  }

  @Override
  public void undo() throws Exception {
    for (String f : survivors()) {
      network.heal(target, f);
    }
  }
}
