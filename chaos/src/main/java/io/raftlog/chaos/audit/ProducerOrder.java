package io.raftlog.chaos.audit;

import java.util.function.Consumer;

/**
 * Each stream holds the producer's records in the order it sent them: every record's number is
 * above all before it (a duplicate counts here too; foreign records are left to {@link
 * ForeignRecords}). Counted only: a reordering shows in the records' offsets, listed by {@link
 * MisplacedRecords}.
 */
public final class ProducerOrder implements Check {
  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    long reordered = 0;
    for (StreamContent stream : run.truth()) {
      long previous = -1;
      for (long seq : stream.seqs()) {
        if (seq < 0) {
          continue;
        }
        if (seq <= previous) {
          reordered++;
        }
        previous = Math.max(previous, seq);
      }
    }
    return reordered;
  }
}
