package io.raftlog.chaos.audit;

import java.util.List;

/**
 * What the subscription of the first stream delivered, in order (each record's number in the
 * stream, -1 for one not of that stream), and why it stopped short, or null.
 */
public record Consumed(List<Long> seqs, String error) {
  public Consumed {
    seqs = List.copyOf(seqs);
  }
}
