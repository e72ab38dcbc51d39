package io.raftlog.chaos;

import io.raftlog.testkit.NetworkNamespaces;
import java.util.List;

/**
 * Cuts one node from every other node, both ways, and heals the links when undone. Modes
 * isolate-leader and isolate-follower keep the node reachable from the clients (the root
 * namespace), so a cut-off leader that still acknowledged a write or served a stale linearizable
 * read would be caught. Mode split also cuts the node from the clients: a network split with the
 * clients on the majority's side, where the client must route around a node that does not answer at
 * all (its connections hang, where a killed node's port refuses at once).
 */
final class IsolateNode implements Disruption {
  private final String kind;
  private final NetworkNamespaces network;
  private final String target;
  private final boolean fromClientsToo;
  private final List<String> survivors;

  IsolateNode(String kind, Situation s, String target, boolean fromClientsToo) {
    this.kind = kind;
    this.network = s.requireNetwork(kind);
    this.target = target;
    this.fromClientsToo = fromClientsToo;
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
