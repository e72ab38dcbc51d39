package io.raftlog.chaos.audit;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/** No record is twice in its stream, on the linearizable read. */
public final class DuplicateRecords implements Check {
  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    long duplicated = 0;
    for (int i = 0; i < run.streams(); i++) {
      Set<Long> seen = new HashSet<>();
      for (long seq : run.truth().get(i).seqs()) {
        if (seq >= 0 && !seen.add(seq)) {
          duplicated++;
          problems.accept(Numbering.streamName(i) + ": record " + seq + " appears twice");
        }
      }
    }
    return duplicated;
  }
}
