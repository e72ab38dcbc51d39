package io.raftlog.chaos.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each acknowledged record is in the final log, for {@link LostRecords} and {@link
 * MisplacedRecords}: the offset the producer was told, the record's first offset in its stream on
 * the linearizable read (null if it is not there), and whether the acknowledged offset is below the
 * stream's first offset on that read (it may be gone: truncated or dropped by retention).
 */
record AckedPlace(int stream, long seq, long acked, Long found, boolean belowFirst) {
  /** Every acknowledged record of {@code run}'s, in no particular order. */
  static List<AckedPlace> of(RunRecord run) {
    List<Map<Long, Long>> firstOffsets = new ArrayList<>(run.streams());
    for (StreamContent stream : run.truth()) {
      Map<Long, Long> at = new HashMap<>();
      List<Long> seqs = stream.seqs();
      for (int offset = 0; offset < seqs.size(); offset++) {
        if (seqs.get(offset) >= 0) {
          at.putIfAbsent(seqs.get(offset), stream.first() + offset);
        }
      }
      firstOffsets.add(at);
    }
    Numbering numbering = run.sends().numbering();
    List<AckedPlace> places = new ArrayList<>(run.sends().acked().size());
    for (Map.Entry<Long, Long> a : run.sends().acked().entrySet()) {
      int stream = numbering.streamOf(a.getKey());
      long seq = numbering.seqOf(a.getKey());
      places.add(
          new AckedPlace(
              stream,
              seq,
              a.getValue(),
              firstOffsets.get(stream).get(seq),
              a.getValue() < run.truth().get(stream).first()));
    }
    return places;
  }

  String streamName() {
    return Numbering.streamName(stream);
  }
}
