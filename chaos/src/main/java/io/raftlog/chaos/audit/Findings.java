package io.raftlog.chaos.audit;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@link Audit} found: how often each rule was broken, the first problems described, and
 * the faults' outages.
 */
public record Findings(Map<Check.Kind, Long> counts, List<String> problems, Outages outages) {
  public Findings {
    counts = counts.isEmpty() ? Map.of() : new EnumMap<>(counts);
    problems = List.copyOf(problems);
  }

  public long count(Check.Kind kind) {
    return counts.getOrDefault(kind, 0L);
  }

  /** Every broken rule of every kind. */
  public long violations() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }
}
