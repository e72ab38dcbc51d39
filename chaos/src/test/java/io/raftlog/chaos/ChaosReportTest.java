package io.raftlog.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.chaos.audit.Check.Kind;
import io.raftlog.chaos.audit.Failover;
import io.raftlog.chaos.audit.Findings;
import io.raftlog.chaos.audit.Outages;
import io.raftlog.chaos.history.Verdict;
import io.raftlog.chaos.history.Violation;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The summary line, field by field, as scripts and ChaosIT read it: each count where its name says,
 * the step-down field only for modes that check it, "-" where nothing was measured, {@code
 * tls=mtls} after the mode only for a run with {@code --tls}.
 */
class ChaosReportTest {
  private static final Verdict CLEAN =
      new Verdict(
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, new EnumMap<>(Violation.Kind.class), List.of(), 0);

  @Test
  void everyCountIsInItsOwnField() {
    Map<Kind, Long> counts = new EnumMap<>(Kind.class);
    long n = 1;
    for (Kind k :
        List.of(
            Kind.LOST,
            Kind.DUPLICATED,
            Kind.REORDERED,
            Kind.MISPLACED,
            Kind.FOREIGN,
            Kind.SPARSE,
            Kind.DIVERGENT)) {
      counts.put(k, n++);
    }
    counts.put(Kind.CONSUMER, 1L);
    counts.put(Kind.NOT_STEPPED_DOWN, 1L);
    counts.put(Kind.HISTORY, 0L);
    Outages outages =
        new Outages(
            List.of(100L, 200L, 300L),
            1,
            List.of(10L, 20L),
            List.of(
                new Failover(600, 700, 800, 900, 1000, 1100), new Failover(-1, -1, 50, 60, 70, -1)),
            List.of());
    ChaosReport r =
        new ChaosReport(
            Mode.PAUSE,
            false,
            2,
            300,
            1000,
            900,
            5,
            new Findings(counts, List.of(), outages),
            List.of(1500L, 2500L),
            3,
            CLEAN);
    assertEquals(
        "chaos: mode=pause faults=2 streams=300 acked=900 failed=5 violations=30 lost=1"
            + " duplicated=2 reordered=3 misplaced=4 foreign=5 offsets_dense=no"
            + " replicas_identical=no consumer_ok=no stepped_down=no history_violations=0"
            + " affected=4 affected_unavailable_ms_p50=200 affected_unavailable_ms_p99=300"
            + " affected_unavailable_ms_max=300 unrecovered=1 unaffected=2"
            + " unaffected_gap_ms_p50=10 unaffected_gap_ms_max=20 new_leaders_ms_p50=1500"
            + " spurious_elections=3",
        r.line());
    assertEquals(
        "chaos: failover_breakdown mode=pause faults=2 candidate_ms_p50=600"
            + " new_leaders_ms_p50=700 first_write_ms_p50=50 affected_p50_ms_p50=60"
            + " affected_max_ms_p50=70 in_flight_answered_ms_p50=1100"
            + " per_fault=[600/700/800/900/1000/1100,-1/-1/50/60/70/-1]",
        r.breakdownLine());
    assertFalse(r.ok());
    assertFalse(r.steppedDown());
  }

  @Test
  void anUnjudgedHistoryAndNothingMeasured() {
    ChaosReport r =
        new ChaosReport(
            Mode.LEADER,
            true,
            0,
            1,
            0,
            0,
            0,
            new Findings(
                Map.of(Kind.HISTORY, 1L),
                List.of(),
                new Outages(List.of(), 0, List.of(), List.of(), List.of())),
            List.of(),
            0,
            null);
    assertEquals(
        "chaos: mode=leader tls=mtls faults=0 streams=1 acked=0 failed=0 violations=1 lost=0"
            + " duplicated=0 reordered=0 misplaced=0 foreign=0 offsets_dense=yes"
            + " replicas_identical=yes consumer_ok=yes history_violations=unjudged affected=0"
            + " affected_unavailable_ms_p50=0 affected_unavailable_ms_p99=0"
            + " affected_unavailable_ms_max=0 unrecovered=0 unaffected=0"
            + " unaffected_gap_ms_p50=- unaffected_gap_ms_max=- new_leaders_ms_p50=-"
            + " spurious_elections=0",
        r.line());
    assertEquals(
        "chaos: failover_breakdown mode=leader faults=0 candidate_ms_p50=- new_leaders_ms_p50=-"
            + " first_write_ms_p50=- affected_p50_ms_p50=- affected_max_ms_p50=-"
            + " in_flight_answered_ms_p50=- per_fault=[]",
        r.breakdownLine());
    assertEquals(1, r.historyViolations());
    assertFalse(r.ok());
    assertTrue(r.steppedDown());
  }

  /** The modes that change members say whether every shard kept its replicas; the others do not. */
  @Test
  void membershipModesSayWhetherReplicationWasKept() {
    Findings below =
        new Findings(
            Map.of(Kind.UNDER_REPLICATED, 1L),
            List.of(),
            new Outages(List.of(), 0, List.of(), List.of(), List.of()));
    ChaosReport move = new ChaosReport(Mode.MOVE, false, 1, 1, 0, 0, 0, below, List.of(), 0, CLEAN);
    assertTrue(move.line().contains(" consumer_ok=yes replication_kept=no history_violations=0"));
    assertFalse(move.ok());
    ChaosReport leader =
        new ChaosReport(Mode.LEADER, false, 1, 1, 0, 0, 0, below, List.of(), 0, CLEAN);
    assertFalse(leader.line().contains("replication_kept"), leader.line());
  }
}
