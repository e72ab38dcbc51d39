package io.raftlog.chaos.audit;

import java.util.List;

/**
 * One stream as one node served it, from its first offset {@code first} on (records below it were
 * truncated or dropped by retention): each record's number in the stream (-1 for a record that is
 * not this stream's: another stream's or nobody's), {@code seqs.get(k)} that of offset {@code first
 * + k}; whether offsets were dense from {@code first}, and a SHA-256 over every offset and value.
 */
public record StreamContent(long first, List<Long> seqs, boolean dense, String digest) {
  public StreamContent {
    seqs = List.copyOf(seqs);
  }

  /** One past the stream's last offset. */
  public long next() {
    return first + seqs.size();
  }
}
