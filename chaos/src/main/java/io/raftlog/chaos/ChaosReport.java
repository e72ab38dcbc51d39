package io.raftlog.chaos;

import java.util.List;

/**
 * What a chaos run found. The run passes when nothing acknowledged is lost, nothing is duplicated
 * or reordered, offsets are dense, the replicas are identical, the subscription saw the log as it
 * is, and (in pause mode) every paused leader stepped down.
 */
record ChaosReport(
    Mode mode,
    int faults,
    long sent,
    long acked,
    long failed,
    long lost,
    long duplicated,
    long reordered,
    long misplaced,
    boolean dense,
    boolean replicasIdentical,
    boolean consumerOk,
    boolean steppedDown,
    List<Long> unavailableMs,
    int spuriousElections,
    List<String> problems) {

  boolean ok() {
    return lost == 0
        && duplicated == 0
        && reordered == 0
        && misplaced == 0
        && dense
        && replicasIdentical
        && consumerOk
        && steppedDown;
  }

  long unavailableP50() {
    if (unavailableMs.isEmpty()) {
      return 0;
    }
    List<Long> sorted = unavailableMs.stream().sorted().toList();
    return sorted.get((sorted.size() - 1) / 2);
  }

  long unavailableMax() {
    return unavailableMs.stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** The one summary line. */
  String line() {
    return String.format(
        "chaos: mode=%s kills=%d acked=%d failed=%d lost=%d duplicated=%d reordered=%d misplaced=%d"
            + " offsets_dense=%s replicas_identical=%s consumer_ok=%s%s unavailable_ms_p50=%d"
            + " unavailable_ms_max=%d spurious_elections=%d",
        mode.name().toLowerCase(),
        faults,
        acked,
        failed,
        lost,
        duplicated,
        reordered,
        misplaced,
        yes(dense),
        yes(replicasIdentical),
        yes(consumerOk),
        mode == Mode.PAUSE ? " stepped_down=" + yes(steppedDown) : "",
        unavailableP50(),
        unavailableMax(),
        spuriousElections);
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }
}
