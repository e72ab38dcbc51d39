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
 *     without an acknowledged write of the stream while the fault lasted
 * @param lines one line per fault with its own figures, for the run's log
 */
public record Outages(
    List<Long> affectedUnavailableMs,
    long unrecovered,
    List<Long> unaffectedGapMs,
    List<String> lines) {
  public Outages {
    affectedUnavailableMs = List.copyOf(affectedUnavailableMs);
    unaffectedGapMs = List.copyOf(unaffectedGapMs);
    lines = List.copyOf(lines);
  }
}
