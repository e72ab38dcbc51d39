package io.raftlog.chaos.audit;

import java.util.List;

/**
 * One stream as one node served it: each record's number in the stream (-1 for a record that is not
 * this stream's: another stream's or nobody's), whether offsets were dense from 0, and a SHA-256
 * over every offset and value.
 */
public record StreamContent(List<Long> seqs, boolean dense, String digest) {
  public StreamContent {
    seqs = List.copyOf(seqs);
  }
}
