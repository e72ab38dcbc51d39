package io.raftlog.chaos.audit;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Every acknowledged record is at the offset the producer was told, on the linearizable read (a
 * lost one is left to {@link LostRecords}).
 */
public final class MisplacedRecords implements Check {
  @Override
  public Kind kind() {
    return Kind.MISPLACED;
  }

  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    FirstOffsets offsets = new FirstOffsets(run.truth());
    Numbering numbering = run.sends().numbering();
    long misplaced = 0;
    for (Map.Entry<Long, Long> a : run.sends().acked().entrySet()) {
      int stream = numbering.streamOf(a.getKey());
      long seq = numbering.seqOf(a.getKey());
      Long at = offsets.of(stream, seq);
      if (at != null && !at.equals(a.getValue())) {
        misplaced++;
        problems.accept(
            Numbering.streamName(stream)
                + ": record "
                + seq
                + " acknowledged at offset "
                + a.getValue()
                + " is at "
                + at);
      }
    }
    return misplaced;
  }
}
