package io.raftlog.chaos.audit;

import java.util.List;

/**
 * What the faults cost the writers, measured by {@link Availability}: not rules, so not counted as
 * violations.
 *
 * @param affectedUnavailableMs per fault and stream whose shard the faulted node led: from the
 *     fault to the stream's first acknowledged write sent once the fault held
 * @param unrecovered such streams with no acknowledged write after the fault at all
 * @param unaffectedGapMs per fault and stream whose shard leader was elsewhere: the longest time
 *     the stream waited for an acknowledgement, with a write of it sent and unanswered, while the
 *     fault lasted (not the time between its sends, which round robin over many streams makes long)
 * @param breakdown per fault, where its affected streams' outage went
 * @param lines one line per fault with its own figures, for the run's log
 */
public record Outages(
    List<Long> affectedUnavailableMs,
    long unrecovered,
    List<Long> unaffectedGapMs,
    List<Failover> breakdown,
    List<String> lines) {
  public Outages {
    affectedUnavailableMs = List.copyOf(affectedUnavailableMs);
    unaffectedGapMs = List.copyOf(unaffectedGapMs);
    breakdown = List.copyOf(breakdown);
    lines = List.copyOf(lines);
  }
}
