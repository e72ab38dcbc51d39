package io.raftlog.chaos;

import io.raftlog.testkit.ProcessCluster;

/**
 * A signal to one node's process, undone by bringing the node back (modes leader, follower, node,
 * pause and restart): the {@link Signal} says which signal and which way back.
 */
final class SignalNode extends OneNodeDisruption {
  /** What is done to the node, how it comes back, and whether it must have stepped down. */
  enum Signal {
    /**
     * kill -9, and a fresh process on its data when undone. A fresh process has no old term to step
     * down from.
     */
    KILL(ProcessCluster::kill9, ProcessCluster::start, false),
    /**
     * SIGTERM, so the node shuts down cleanly as in a rolling upgrade, and a fresh process on its
     * data when undone. Unlike a kill, the node leaves on purpose.
     */
    TERM(ProcessCluster::stop, ProcessCluster::start, false),
    /**
     * SIGSTOP past the election timeout, SIGCONT when undone: the node wakes up believing it still
     * leads, and must find itself in a newer term in every shard it led.
     */
    STOP(ProcessCluster::pause, ProcessCluster::resume, true);

    private final NodeAction inject;
    private final NodeAction undo;
    private final boolean mustStepDown;

    Signal(NodeAction inject, NodeAction undo, boolean mustStepDown) {
      this.inject = inject;
      this.undo = undo;
      this.mustStepDown = mustStepDown;
    }
  }

  /** Something done to one node of the cluster. */
  @FunctionalInterface
  private interface NodeAction {
    void apply(ProcessCluster nodes, String id) throws Exception;
  }

  private final ProcessCluster nodes;
  private final Signal signal;

  SignalNode(String kind, Situation s, String target, Signal signal) {
    super(kind, s, target);
    this.nodes = s.nodes();
    this.signal = signal;
  }

  @Override
  public boolean mustStepDown() {
    return signal.mustStepDown;
  }

  @Override
  public void inject() throws Exception {
    signal.inject.apply(nodes, target);
  }

  @Override
  public void undo() throws Exception {
    signal.undo.apply(nodes, target);
  }
}
