package io.raftlog.chaos;

import io.raftlog.chaos.history.Verdict;
import java.util.List;

/**
 * What a chaos run found. The run passes when it has no violation: nothing acknowledged is lost,
 * nothing is duplicated, reordered, misplaced or in the wrong stream, every stream's offsets are
 * dense, every replica of every shard holds the same records for each of its streams as a
 * linearizable read, the subscription saw its stream as it is, (in pause and partition modes) every
 * shard the paused or cut-off node led elected a leader in a newer term, and the {@link
 * io.raftlog.chaos.history.HistoryChecker} found nothing wrong in the run's history.
 *
 * @param affectedUnavailableMs per fault and stream whose shard the faulted node led: from the
 *     fault to the stream's first acknowledged write sent after it
 * @param unaffectedGapMs per fault and stream whose shard leader was elsewhere: the longest time
 *     without an acknowledged write of the stream while the node was down or stopped
 * @param electionMs per fault that killed or stopped one node: from the fault until the nodes still
 *     up agreed on new leaders for every shard it led (the server's part of the affected streams'
 *     outage)
 * @param history the checker's verdict on the run's history, null if it could not be judged (which
 *     counts as one violation)
 */
record ChaosReport(
    Mode mode,
    int faults,
    int streams,
    long sent,
    long acked,
    long failed,
    long lost,
    long duplicated,
    long reordered,
    long misplaced,
    long foreign,
    long sparseStreams,
    long divergentReplicas,
    boolean consumerOk,
    long notSteppedDown,
    List<Long> affectedUnavailableMs,
    long unrecovered,
    List<Long> unaffectedGapMs,
    List<Long> electionMs,
    int spuriousElections,
    Verdict history,
    List<String> problems) {

  long violations() {
    return lost
        + duplicated
        + reordered
        + misplaced
        + foreign
        + sparseStreams
        + divergentReplicas
        + (consumerOk ? 0 : 1)
        + notSteppedDown
        + historyViolations();
  }

  /** Violations the history checker found, of every kind; 1 if it could not judge the history. */
  long historyViolations() {
    return history == null ? 1 : history.violations();
  }

  boolean ok() {
    return violations() == 0;
  }

  boolean steppedDown() {
    return notSteppedDown == 0;
  }

  /** The {@code p}-quantile (nearest rank) of {@code values}, 0 if there are none. */
  static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Long> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
  }

  long unavailableP50() {
    return percentile(affectedUnavailableMs, 0.5);
  }

  long unavailableP99() {
    return percentile(affectedUnavailableMs, 0.99);
  }

  long unavailableMax() {
    return percentile(affectedUnavailableMs, 1.0);
  }

  long gapP50() {
    return percentile(unaffectedGapMs, 0.5);
  }

  long gapMax() {
    return percentile(unaffectedGapMs, 1.0);
  }

  /** The one summary line. */
  String line() {
    return String.format(
        "chaos: mode=%s faults=%d streams=%d acked=%d failed=%d violations=%d lost=%d"
            + " duplicated=%d reordered=%d misplaced=%d foreign=%d offsets_dense=%s"
            + " replicas_identical=%s consumer_ok=%s%s history_violations=%s affected=%d"
            + " affected_unavailable_ms_p50=%d affected_unavailable_ms_p99=%d"
            + " affected_unavailable_ms_max=%d unrecovered=%d unaffected=%d"
            + " unaffected_gap_ms_p50=%s unaffected_gap_ms_max=%s new_leaders_ms_p50=%s"
            + " spurious_elections=%d",
        mode.label(),
        faults,
        streams,
        acked,
        failed,
        violations(),
        lost,
        duplicated,
        reordered,
        misplaced,
        foreign,
        yes(sparseStreams == 0),
        yes(divergentReplicas == 0),
        yes(consumerOk),
        mode.checksStepDown() ? " stepped_down=" + yes(steppedDown()) : "",
        history == null ? "unjudged" : String.valueOf(history.violations()),
        affectedUnavailableMs.size() + unrecovered,
        unavailableP50(),
        unavailableP99(),
        unavailableMax(),
        unrecovered,
        unaffectedGapMs.size(),
        orNone(unaffectedGapMs, gapP50()),
        orNone(unaffectedGapMs, gapMax()),
        orNone(electionMs, percentile(electionMs, 0.5)),
        spuriousElections);
  }

  /** {@code value}, or "-" where there was nothing to measure. */
  private static String orNone(List<Long> of, long value) {
    return of.isEmpty() ? "-" : String.valueOf(value);
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }
}
