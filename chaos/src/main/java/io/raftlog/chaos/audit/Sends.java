package io.raftlog.chaos.audit;

import java.util.Map;

/**
 * What the producer sent and was told, by record number ({@link Numbering}).
 *
 * @param acked each acknowledged record's offset in its stream
 * @param sentAt when each record was sent (System.nanoTime())
 * @param ackedAt when each acknowledged record's answer came
 * @param failed each record whose send failed, with why (it may or may not be in the log)
 */
public record Sends(
    Numbering numbering,
    Map<Long, Long> acked,
    Map<Long, Long> sentAt,
    Map<Long, Long> ackedAt,
    Map<Long, String> failed) {
  public Sends {
    acked = Map.copyOf(acked);
    sentAt = Map.copyOf(sentAt);
    ackedAt = Map.copyOf(ackedAt);
    failed = Map.copyOf(failed);
  }
}
