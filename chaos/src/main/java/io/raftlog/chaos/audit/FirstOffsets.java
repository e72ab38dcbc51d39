package io.raftlog.chaos.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The final log indexed for the acknowledgement checks: per stream, each record number's first
 * offset on the linearizable read.
 */
final class FirstOffsets {
  private final List<Map<Long, Long>> byStream;

  FirstOffsets(List<StreamContent> truth) {
    byStream = new ArrayList<>(truth.size());
    for (StreamContent stream : truth) {
      Map<Long, Long> at = new HashMap<>();
      List<Long> seqs = stream.seqs();
      for (int offset = 0; offset < seqs.size(); offset++) {
        if (seqs.get(offset) >= 0) {
          at.putIfAbsent(seqs.get(offset), (long) offset);
        }
      }
      byStream.add(at);
    }
  }

  /** Where record {@code seq} of stream {@code stream} first is, or null if it is not there. */
  Long of(int stream, long seq) {
    return byStream.get(stream).get(seq);
  }
}
