package io.raftlog.chaos;

import io.raftlog.testkit.NetworkNamespaces;

/**
 * Cuts one node from every other node, both ways, and heals the links when undone. Modes
 * isolate-leader and isolate-follower keep the node reachable from the clients (the root
 * namespace), so a cut-off leader that still acknowledged a write or served a stale linearizable
 * read would be caught. Mode split also cuts the node from the clients: a network split with the
 * clients on the majority's side, where the client must route around a node that does not answer at
 * all (its connections hang, where a killed node's port refuses at once).
 */
final class IsolateNode extends OneNodeDisruption {
  private final NetworkNamespaces network;
  private final boolean fromClientsToo;

  IsolateNode(String kind, Situation s, String target, boolean fromClientsToo) {
    super(kind, s, target);
    this.network = s.requireNetwork(kind);
    this.fromClientsToo = fromClientsToo;
  }

  @Override
  public boolean mustStepDown() {
    return true;
  }

  @Override
  public void inject() throws Exception {
    network.isolate(target);
    if (fromClientsToo) {
      network.cutFromClients(target);
    }
  }

  @Override
  public void undo() throws Exception {
    network.rejoin(target);
    network.healClients(target);
  }
}
