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
    return new Fault(startMs * MS, inEffectMs * MS, endMs * MS, "2", Set.of(0));
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
  void unaffectedStreamsLongestGapRunsFromTheFaultsStartToItsEnd() {
    RunBuilder run = new RunBuilder();
    send(run, 1, 0, 400, 500); // before the fault: not counted
    send(run, 1, 1, 1400, 1500);
    send(run, 1, 2, 1900, 2000);
    send(run, 1, 3, 3800, 3900);
    send(run, 0, 3, 1500, 2500);
    run.faults = List.of(fault(1000, 1100, 4000));
    Outages o = Availability.measure(run.build());
    assertEquals(List.of(1900L), o.unaffectedGapMs());
    assertEquals(
        List.of(
            "fault at node 2 (shards [0]): 1 affected streams unavailable p50 1500 ms, max 1500"
                + " ms; 1 unaffected streams' longest gap p50 1900 ms, max 1900 ms"),
        o.lines());
  }

  @Test
  void anUnaffectedStreamWithNoAckAtAllWasOutForTheWholeFault() {
    RunBuilder run = new RunBuilder();
    send(run, 0, 0, 1500, 1600);
    run.faults = List.of(fault(1000, 1100, 4000));
    assertEquals(List.of(3000L), Availability.measure(run.build()).unaffectedGapMs());
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
