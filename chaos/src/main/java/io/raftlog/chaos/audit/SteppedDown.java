package io.raftlog.chaos.audit;

import java.util.function.Consumer;

/**
 * A paused, cut-off or full-disk leader was in a newer term, once the fault was undone, in every
 * shard it led. The fault loop asks the node as each fault ends and prints each miss then; this
 * counts them.
 */
public final class SteppedDown implements Check {
  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    return run.notSteppedDown();
  }
}
