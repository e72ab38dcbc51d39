package io.raftlog.chaos;

import io.raftlog.chaos.audit.Check.Kind;
import io.raftlog.chaos.audit.Failover;
import io.raftlog.chaos.audit.Findings;
import io.raftlog.chaos.audit.Percentile;
import io.raftlog.chaos.history.Verdict;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * What a chaos run found. The run passes when the {@link io.raftlog.chaos.audit.Audit} found no
 * violation: nothing acknowledged is lost, nothing is duplicated, reordered, misplaced or in the
 * wrong stream, every stream's offsets are dense, every replica of every shard holds the same
 * records for each of its streams as a linearizable read, the subscription saw its stream as it is,
 * (in pause and partition modes) every shard the paused or cut-off node led elected a leader in a
 * newer term, (in the modes that change members) no shard was seen below its replication factor but
 * after a node was removed as dead, and the {@link io.raftlog.chaos.history.HistoryChecker} found
 * nothing wrong in the run's history.
 *
 * @param tls whether the run had mutual TLS on both hops ({@code --tls}): the line says {@code
 *     tls=mtls} after the mode
 * @param electionMs per fault that killed or stopped one node: from the fault until the nodes still
 *     up agreed on new leaders for every shard it led (the server's part of the affected streams'
 *     outage)
 * @param history the checker's verdict on the run's history, null if it could not be judged (which
 *     counts as one violation)
 */
record ChaosReport(
    Mode mode,
    boolean tls,
    int faults,
    int streams,
    long sent,
    long acked,
    long failed,
    Findings findings,
    List<Long> electionMs,
    int spuriousElections,
    Verdict history) {

  long violations() {
    return findings.violations();
  }

  /** Violations the history checker found, of every kind; 1 if it could not judge the history. */
  long historyViolations() {
    return findings.count(Kind.HISTORY);
  }

  boolean ok() {
    return violations() == 0;
  }

  boolean steppedDown() {
    return findings.count(Kind.NOT_STEPPED_DOWN) == 0;
  }

  /** The first problems found, described. */
  List<String> problems() {
    return findings.problems();
  }

  /**
   * Per fault and stream whose shard the faulted node led: from the fault to the stream's first
   * acknowledged write sent after it.
   */
  List<Long> affectedUnavailableMs() {
    return findings.outages().affectedUnavailableMs();
  }

  long unrecovered() {
    return findings.outages().unrecovered();
  }

  /**
   * Per fault and stream whose shard leader was elsewhere: the longest time the stream waited for
   * an acknowledgement while the node was down or stopped.
   */
  List<Long> unaffectedGapMs() {
    return findings.outages().unaffectedGapMs();
  }

  long unavailableMax() {
    return Percentile.of(affectedUnavailableMs(), 1.0);
  }

  long gapMax() {
    return Percentile.of(unaffectedGapMs(), 1.0);
  }

  /** The one summary line. */
  String line() {
    return String.format(
        "chaos: mode=%s%s faults=%d streams=%d acked=%d failed=%d violations=%d lost=%d"
            + " duplicated=%d reordered=%d misplaced=%d foreign=%d offsets_dense=%s"
            + " replicas_identical=%s consumer_ok=%s%s%s history_violations=%s affected=%d"
            + " affected_unavailable_ms_p50=%d affected_unavailable_ms_p99=%d"
            + " affected_unavailable_ms_max=%d unrecovered=%d unaffected=%d"
            + " unaffected_gap_ms_p50=%s unaffected_gap_ms_max=%s new_leaders_ms_p50=%s"
            + " spurious_elections=%d",
        mode.label(),
        tls ? " tls=mtls" : "",
        faults,
        streams,
        acked,
        failed,
        violations(),
        findings.count(Kind.LOST),
        findings.count(Kind.DUPLICATED),
        findings.count(Kind.REORDERED),
        findings.count(Kind.MISPLACED),
        findings.count(Kind.FOREIGN),
        yes(findings.count(Kind.SPARSE) == 0),
        yes(findings.count(Kind.DIVERGENT) == 0),
        yes(findings.count(Kind.CONSUMER) == 0),
        mode.checksStepDown() ? " stepped_down=" + yes(steppedDown()) : "",
        mode.changesMembers()
            ? " replication_kept=" + yes(findings.count(Kind.UNDER_REPLICATED) == 0)
            : "",
        history == null ? "unjudged" : String.valueOf(history.violations()),
        affectedUnavailableMs().size() + unrecovered(),
        Percentile.of(affectedUnavailableMs(), 0.5),
        Percentile.of(affectedUnavailableMs(), 0.99),
        unavailableMax(),
        unrecovered(),
        unaffectedGapMs().size(),
        orNone(unaffectedGapMs(), Percentile.of(unaffectedGapMs(), 0.5)),
        orNone(unaffectedGapMs(), gapMax()),
        orNone(electionMs, Percentile.of(electionMs, 0.5)),
        spuriousElections);
  }

  /**
   * The failover breakdown line: per phase of the affected streams' outage, its median over the
   * faults where it was seen, in ms from the fault (a survivor stands, new leaders, the first write
   * through, half the affected streams through, all of them, the writes in flight at the fault
   * answered), then each fault's figures in that order ("-1" for not seen).
   */
  String breakdownLine() {
    List<Failover> b = findings.outages().breakdown();
    return String.format(
        "chaos: failover_breakdown mode=%s faults=%d candidate_ms_p50=%s new_leaders_ms_p50=%s"
            + " first_write_ms_p50=%s affected_p50_ms_p50=%s affected_max_ms_p50=%s"
            + " in_flight_answered_ms_p50=%s per_fault=%s",
        mode.label(),
        b.size(),
        median(b, Failover::candidateMs),
        median(b, Failover::electedMs),
        median(b, Failover::firstAckMs),
        median(b, Failover::unavailableP50Ms),
        median(b, Failover::unavailableMaxMs),
        median(b, Failover::inFlightAckedMs),
        b.stream()
            .map(
                f ->
                    f.candidateMs()
                        + "/"
                        + f.electedMs()
                        + "/"
                        + f.firstAckMs()
                        + "/"
                        + f.unavailableP50Ms()
                        + "/"
                        + f.unavailableMaxMs()
                        + "/"
                        + f.inFlightAckedMs())
            .collect(Collectors.joining(",", "[", "]")));
  }

  private static String median(List<Failover> faults, ToLongFunction<Failover> phase) {
    List<Long> seen = faults.stream().map(phase::applyAsLong).filter(v -> v >= 0).toList();
    return orNone(seen, Percentile.of(seen, 0.5));
  }

  /** {@code value}, or "-" where there was nothing to measure. */
  private static String orNone(List<Long> of, long value) {
    return of.isEmpty() ? "-" : String.valueOf(value);
  }

  private static String yes(boolean b) {
    return b ? "yes" : "no";
  }
}
