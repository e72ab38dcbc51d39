package io.raftlog.chaos.audit;

import java.util.function.Consumer;

/**
 * Every acknowledged record is at the offset the producer was told, on the linearizable read (a
 * lost one is left to {@link LostRecords}).
 */
public final class MisplacedRecords implements Check {
  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    long misplaced = 0;
    for (AckedPlace p : AckedPlace.of(run)) {
      if (p.found() != null && p.found() != p.acked()) {
        misplaced++;
        problems.accept(
            p.streamName()
                + ": record "
                + p.seq()
                + " acknowledged at offset "
                + p.acked()
                + " is at "
                + p.found());
      }
    }
    return misplaced;
  }
}
