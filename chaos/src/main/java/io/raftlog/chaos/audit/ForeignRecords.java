package io.raftlog.chaos.audit;

import java.util.List;
import java.util.function.Consumer;

/** Every record of a stream, on the linearizable read, is one the producer sent to that stream. */
public final class ForeignRecords implements Check {
  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    long foreign = 0;
    for (int i = 0; i < run.streams(); i++) {
      List<Long> seqs = run.truth().get(i).seqs();
      for (int offset = 0; offset < seqs.size(); offset++) {
        if (seqs.get(offset) < 0) {
          foreign++;
          problems.accept(
              Numbering.streamName(i)
                  + ": offset "
                  + (run.truth().get(i).first() + offset)
                  + " holds a record not sent to this stream");
        }
      }
    }
    return foreign;
  }
}
