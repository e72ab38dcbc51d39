package io.raftlog.chaos.audit;

import java.util.Map;
import java.util.function.Consumer;

/** Every record the producer was told is appended is in its stream, on the linearizable read. */
public final class LostRecords implements Check {
  @Override
  public Kind kind() {
    return Kind.LOST;
  }

  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    FirstOffsets offsets = new FirstOffsets(run.truth());
    Numbering numbering = run.sends().numbering();
    long lost = 0;
    for (Map.Entry<Long, Long> a : run.sends().acked().entrySet()) {
      int stream = numbering.streamOf(a.getKey());
      long seq = numbering.seqOf(a.getKey());
      if (offsets.of(stream, seq) == null) {
        lost++;
        problems.accept(
            Numbering.streamName(stream)
                + ": acknowledged record "
                + seq
                + " (offset "
                + a.getValue()
                + ") is lost");
      }
    }
    return lost;
  }
}
