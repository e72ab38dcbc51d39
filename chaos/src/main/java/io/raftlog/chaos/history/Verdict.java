package io.raftlog.chaos.history;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the {@link HistoryChecker} found in one history: what it judged, how many violations of each
 * kind, the first of them in file order (up to the checker's limit), and how long it took.
 *
 * @param truncatedAway acknowledged appends absent from the final log below their stream's first
 *     offset (truncated or dropped by retention: allowed)
 * @param truncates truncates acknowledged
 * @param commits named consumers' commits acknowledged
 * @param positions read-backs of a consumer's committed offset answered
 */
public record Verdict(
    long ops,
    long appendsOk,
    long appendsFailed,
    long appendsUnknown,
    long reads,
    long deliveries,
    long truncatedAway,
    long truncates,
    long commits,
    long positions,
    int streams,
    long finalRecords,
    Map<Violation.Kind, Long> counts,
    List<Violation> first,
    long millis) {

  public Verdict {
    counts = new EnumMap<>(counts);
    first = List.copyOf(first);
  }

  public long violations() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  public boolean ok() {
    return violations() == 0;
  }

  public long count(Violation.Kind kind) {
    return counts.getOrDefault(kind, 0L);
  }

  /** The one verdict line: {@code history: ok ...} or {@code history: VIOLATIONS ...}. */
  public String line() {
    String kinds =
        counts.entrySet().stream()
            .filter(e -> e.getValue() > 0)
            .map(e -> e.getKey().name().toLowerCase() + "=" + e.getValue())
            .collect(Collectors.joining(" "));
    return String.format(
        "history: %s ops=%d appends_ok=%d appends_failed=%d appends_unknown=%d reads=%d"
            + " deliveries=%d acked_truncated=%d truncates=%d commits=%d positions=%d streams=%d"
            + " final_records=%d violations=%d%s checked_ms=%d",
        ok() ? "ok" : "VIOLATIONS",
        ops,
        appendsOk,
        appendsFailed,
        appendsUnknown,
        reads,
        deliveries,
        truncatedAway,
        truncates,
        commits,
        positions,
        streams,
        finalRecords,
        violations(),
        kinds.isEmpty() ? "" : " " + kinds,
        millis);
  }
}
