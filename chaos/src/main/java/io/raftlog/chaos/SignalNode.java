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
    KILL(false) {
      @Override
      void inject(ProcessCluster nodes, String id) throws Exception {
        nodes.kill9(id);
      }

      @Override
      void undo(ProcessCluster nodes, String id) throws Exception {
        nodes.start(id);
      }
    },
    /**
     * SIGTERM, so the node shuts down cleanly as in a rolling upgrade, and a fresh process on its
     * data when undone. Unlike a kill, the node leaves on purpose.
     */
    TERM(false) {
      @Override
      void inject(ProcessCluster nodes, String id) throws Exception {
        nodes.stop(id);
      }

      @Override
      void undo(ProcessCluster nodes, String id) throws Exception {
        nodes.start(id);
      }
    },
    /**
     * SIGSTOP past the election timeout, SIGCONT when undone: the node wakes up believing it still
     * leads, and must find itself in a newer term in every shard it led.
     */
    STOP(true) {
      @Override
      void inject(ProcessCluster nodes, String id) throws Exception {
        nodes.pause(id);
      }

      @Override
      void undo(ProcessCluster nodes, String id) throws Exception {
        nodes.resume(id);
      }
    };

    private final boolean mustStepDown;

    Signal(boolean mustStepDown) {
      this.mustStepDown = mustStepDown;
    }

    abstract void inject(ProcessCluster nodes, String id) throws Exception;

    abstract void undo(ProcessCluster nodes, String id) throws Exception;
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
    signal.inject(nodes, target);
  }

  @Override
  public void undo() throws Exception {
    signal.undo(nodes, target);
  }
}
