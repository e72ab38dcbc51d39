package io.raftlog.chaos.audit;

import java.util.function.Consumer;

/**
 * The subscription of the first stream delivered that stream as the linearizable read has it: every
 * record, in order, and did not stop short. One violation at most.
 */
public final class SubscriptionSaw implements Check {
  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    Consumed c = run.consumed();
    StreamContent stream = run.truth().get(0);
    if (c.error() == null && c.seqs().equals(stream.seqs())) {
      return 0;
    }
    problems.accept(
        "subscription of "
            + Numbering.streamName(0)
            + ": "
            + (c.error() != null
                ? c.error()
                : c.seqs().size()
                    + " records, differing from the stream's "
                    + stream.seqs().size()));
    return 1;
  }
}
