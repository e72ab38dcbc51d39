package io.raftlog.chaos.audit;

import java.util.function.Consumer;

/** Each stream's offsets, on the linearizable read, run on from its first offset with no gap. */
public final class DenseOffsets implements Check {
  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    long sparse = 0;
    for (int i = 0; i < run.streams(); i++) {
      if (!run.truth().get(i).dense()) {
        sparse++;
        problems.accept(
            Numbering.streamName(i) + ": offsets are not dense from " + run.truth().get(i).first());
      }
    }
    return sparse;
  }
}
