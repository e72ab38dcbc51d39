package io.raftlog.chaos.audit;

import java.util.function.Consumer;

/**
 * Every record the producer was told is appended is in its stream, on the linearizable read, unless
 * it was acknowledged below the stream's first offset there (truncated or dropped by retention).
 */
public final class LostRecords implements Check {
  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    long lost = 0;
    for (AckedPlace p : AckedPlace.of(run)) {
      if (p.found() == null && !p.belowFirst()) {
        lost++;
        problems.accept(
            p.streamName()
                + ": acknowledged record "
                + p.seq()
                + " (offset "
                + p.acked()
                + ") is lost");
      }
    }
    return lost;
  }
}
