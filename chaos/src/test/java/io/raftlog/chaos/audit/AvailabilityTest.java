package io.raftlog.chaos.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A fault's outage from send and acknowledgement times alone: stream 0 is on shard 0, which the
 * faulted node led (affected); stream 1 on shard 1 (unaffected). Times are in milliseconds here.
 */
class AvailabilityTest {
  private static final long MS = 1_000_000;

  /** Record {@code seq} of {@code stream}, sent and acknowledged at those milliseconds. */
  private static void send(RunBuilder run, int stream, long seq, long sentMs, long ackedMs) {
    long g = seq * run.numbering.streams() + stream;
    run.sentAt.put(g, sentMs * MS);
    run.ackedAt.put(g, ackedMs * MS);
  }

  private static Fault fault(long startMs, long inEffectMs, long endMs) {
    return new Fault(
        startMs * MS, inEffectMs * MS, endMs * MS, "2", Set.of(0), Fault.Election.NONE);
  }

  @Test
  void affectedUntilTheFirstAckOfARecordSentOnceTheFaultHeld() {
    RunBuilder run = new RunBuilder();
    send(run, 0, 0, 1050, 1200); // sent before the fault held: an answer already on its way
    send(run, 0, 1, 1500, 3000);
    send(run, 0, 2, 1600, 3100);
    run.faults = List.of(fault(1000, 1100, 4000));
    Outages o = Availability.measure(run.build());
    assertEquals(List.of(2000L), o.affectedUnavailableMs());
    assertEquals(0, o.unrecovered());
  }

  @Test
  void unaffectedStreamsLongestGapIsTheLongestWaitForAnAckWithinTheFault() {
    RunBuilder run = new RunBuilder();
    send(run, 1, 0, 400, 500); // before the fault: not counted
    send(run, 1, 1, 900, 1300); // waits 300 ms of the fault
    send(run, 1, 2, 1900, 2000);
    send(run, 1, 3, 3800, 3900);
    send(run, 0, 3, 1500, 2500);
    run.faults = List.of(fault(1000, 1100, 4000));
    Outages o = Availability.measure(run.build());
    assertEquals(List.of(300L), o.unaffectedGapMs());
    assertEquals(
        List.of(
            "fault at node 2 (shards [0]): 1 affected streams unavailable p50 1500 ms, max 1500"
                + " ms; 1 unaffected streams' longest wait p50 300 ms, max 300 ms; candidate after"
                + " -1 ms, new leaders after -1 ms, first write through after 1500 ms, writes in"
                + " flight answered after -1 ms"),
        o.lines());
  }

  /**
   * Round robin over 1,000 streams at 2,000 records/s gives each stream a record every 500 ms: the
   * time between its acknowledgements measured that, 0.5-0.6 s "gaps" in streams that never waited
   * for an answer more than a few milliseconds.
   */
  @Test
  void unaffectedGapIsNotTheTimeBetweenSends() {
    RunBuilder run = new RunBuilder();
    for (int k = 0; k < 8; k++) {
      send(run, 1, k, 1000 + 500 * k, 1010 + 500 * k);
    }
    run.faults = List.of(fault(1000, 1100, 4000));
    assertEquals(List.of(10L), Availability.measure(run.build()).unaffectedGapMs());
  }

  @Test
  void aWaitIsCountedFromTheAckBeforeWhenThatCameLater() {
    RunBuilder run = new RunBuilder();
    send(run, 1, 0, 1100, 2000);
    send(run, 1, 1, 1200, 2050);
    run.faults = List.of(fault(1000, 1100, 4000));
    assertEquals(List.of(900L), Availability.measure(run.build()).unaffectedGapMs());
  }

  @Test
  void anUnaffectedStreamNeverAnsweredWaitedUntilTheFaultsEnd() {
    RunBuilder run = new RunBuilder();
    send(run, 0, 0, 1500, 1600);
    run.sentAt.put(1L, 1200 * MS); // stream 1's record 0, never acknowledged
    run.faults = List.of(fault(1000, 1100, 4000));
    assertEquals(List.of(2800L), Availability.measure(run.build()).unaffectedGapMs());
  }

  @Test
  void theBreakdownTakesTheElectionFromTheFaultAndTheWritesFromTheStreams() {
    RunBuilder run = new RunBuilder();
    send(run, 0, 0, 1050, 2100); // in flight at the fault, resent: answered 1100 ms after it
    send(run, 0, 1, 1500, 1900);
    send(run, 0, 2, 1600, 2000);
    run.faults =
        List.of(
            new Fault(
                1000 * MS,
                1100 * MS,
                4000 * MS,
                "2",
                Set.of(0),
                new Fault.Election(1600 * MS, 1700 * MS)));
    Outages o = Availability.measure(run.build());
    assertEquals(List.of(new Failover(600, 700, 900, 900, 900, 1100)), o.breakdown());
  }

  @Test
  void anAffectedStreamNeverAcknowledgedAfterTheFaultIsUnrecovered() {
    RunBuilder run = new RunBuilder();
    send(run, 0, 0, 1500, 1600);
    run.faults = List.of(fault(1000, 1100, 4000), fault(5000, 5100, 8000));
    Outages o = Availability.measure(run.build());
    assertEquals(List.of(600L), o.affectedUnavailableMs());
    assertEquals(1, o.unrecovered());
    assertEquals(2, o.lines().size());
  }
}
