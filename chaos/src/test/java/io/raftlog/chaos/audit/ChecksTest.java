package io.raftlog.chaos.audit;

import static io.raftlog.chaos.audit.RunBuilder.sparse;
import static io.raftlog.chaos.audit.RunBuilder.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.raftlog.chaos.history.Violation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Each {@link Check} on a run that keeps its rule (nothing found) and on one that breaks it (the
 * count and the problem lines), from a recorded run alone: no cluster, no root.
 */
class ChecksTest {
  /** What {@code check} found in {@code run}: its count, then its problem lines. */
  private static List<Object> found(Check check, RunBuilder run) {
    List<String> problems = new ArrayList<>();
    long count = check.count(run.build(), problems::add);
    List<Object> found = new ArrayList<>();
    found.add(count);
    found.addAll(problems);
    return found;
  }

  /** Every check finds nothing in the builder's run as it is. */
  @Test
  void aRightRunBreaksNoRule() {
    Audit.CHECKS.forEach(
        (kind, check) -> assertEquals(List.of(0L), found(check, new RunBuilder()), kind.name()));
  }

  @Nested
  class History {
    @Test
    void eachViolationOfTheCheckerCountsAndIsListed() {
      RunBuilder run = new RunBuilder();
      Violation lost = new Violation(Violation.Kind.LOST, "chaos-0000", 3, "append 7 is gone");
      run.history = RunBuilder.verdict(List.of(lost, lost));
      assertEquals(
          List.of(2L, "history: LOST: append 7 is gone", "history: LOST: append 7 is gone"),
          found(new HistoryJudged(), run));
    }

    @Test
    void aHistoryThatCouldNotBeJudgedIsOneViolation() {
      RunBuilder run = new RunBuilder();
      run.history = null;
      assertEquals(
          List.of(1L, "the history could not be judged (see above)"),
          found(new HistoryJudged(), run));
    }

    @Test
    void onlyTheFirstTenViolationsAreListed() {
      RunBuilder run = new RunBuilder();
      Violation v = new Violation(Violation.Kind.STALE_READ, "chaos-0001", 0, "stale");
      run.history = RunBuilder.verdict(java.util.Collections.nCopies(12, v));
      List<Object> found = found(new HistoryJudged(), run);
      assertEquals(12L, found.get(0));
      assertEquals(1 + 10, found.size());
    }
  }

  @Test
  void aStreamWithAGapInItsOffsetsIsSparse() {
    RunBuilder run = new RunBuilder().stream(1, sparse(0, 1, 2));
    assertEquals(
        List.of(1L, "chaos-0001: offsets are not dense from 0"), found(new DenseOffsets(), run));
  }

  @Test
  void aRecordNotSentToTheStreamIsForeign() {
    RunBuilder run = new RunBuilder().stream(0, stream(0, -1, 1, 2, -1));
    assertEquals(
        List.of(
            2L,
            "chaos-0000: offset 1 holds a record not sent to this stream",
            "chaos-0000: offset 4 holds a record not sent to this stream"),
        found(new ForeignRecords(), run));
  }

  @Test
  void aRecordTwiceInItsStreamIsDuplicatedButForeignOnesAreNot() {
    RunBuilder run = new RunBuilder().stream(1, stream(0, 1, 1, -1, -1, 2));
    assertEquals(
        List.of(1L, "chaos-0001: record 1 appears twice"), found(new DuplicateRecords(), run));
  }

  @Nested
  class Order {
    @Test
    void aRecordAfterALaterOneIsReordered() {
      RunBuilder run = new RunBuilder().stream(0, stream(0, 2, 1, 3));
      assertEquals(List.of(1L), found(new ProducerOrder(), run));
    }

    @Test
    void aRepeatIsOutOfOrderToo() {
      RunBuilder run = new RunBuilder().stream(0, stream(0, 1, 1, 2));
      assertEquals(List.of(1L), found(new ProducerOrder(), run));
    }

    @Test
    void foreignRecordsAreSkipped() {
      RunBuilder run = new RunBuilder().stream(0, stream(0, -1, 1, -1, 2));
      assertEquals(List.of(0L), found(new ProducerOrder(), run));
    }
  }

  @Nested
  class Acknowledged {
    @Test
    void anAcknowledgedRecordMissingFromItsStreamIsLost() {
      RunBuilder run = new RunBuilder().ack(0, 1, 1).ack(0, 3, 3);
      assertEquals(
          List.of(1L, "chaos-0000: acknowledged record 3 (offset 3) is lost"),
          found(new LostRecords(), run));
      assertEquals(List.of(0L), found(new MisplacedRecords(), run), "lost is not misplaced");
    }

    /** A record acknowledged in one stream and present only in the other is lost from its own. */
    @Test
    void aRecordInTheOtherStreamIsLostFromItsOwn() {
      RunBuilder run = new RunBuilder().stream(1, stream(0, 1)).ack(1, 2, 2);
      assertEquals(
          List.of(1L, "chaos-0001: acknowledged record 2 (offset 2) is lost"),
          found(new LostRecords(), run));
    }

    @Test
    void anAcknowledgedRecordAtAnotherOffsetIsMisplaced() {
      RunBuilder run = new RunBuilder().ack(1, 1, 5).ack(1, 2, 2);
      assertEquals(
          List.of(1L, "chaos-0001: record 1 acknowledged at offset 5 is at 1"),
          found(new MisplacedRecords(), run));
      assertEquals(List.of(0L), found(new LostRecords(), run), "misplaced is not lost");
    }

    /**
     * Records acknowledged below the stream's first offset may be gone (truncated or dropped by
     * retention); one at or above it may not, and the others keep their offsets.
     */
    @Test
    void onlyRecordsBelowTheFirstOffsetMayBeGone() {
      RunBuilder run =
          new RunBuilder()
              .stream(1, RunBuilder.from(2, 2, 3))
                  .ack(1, 0, 0)
                  .ack(1, 1, 1)
                  .ack(1, 2, 2)
                  .ack(1, 3, 3)
                  .ack(1, 4, 4);
      assertEquals(
          List.of(1L, "chaos-0001: acknowledged record 4 (offset 4) is lost"),
          found(new LostRecords(), run));
      assertEquals(List.of(0L), found(new MisplacedRecords(), run));
      assertEquals(List.of(0L), found(new DenseOffsets(), run));
    }

    /** A duplicate's first place is where it counts: acknowledged there, it is not misplaced. */
    @Test
    void theFirstPlaceOfADuplicateIsItsPlace() {
      RunBuilder run = new RunBuilder().stream(0, stream(0, 1, 1)).ack(0, 1, 1);
      assertEquals(List.of(0L), found(new MisplacedRecords(), run));
    }
  }

  @Test
  void aReplicaUnlikeTheLinearizableReadDiverges() {
    RunBuilder run = new RunBuilder();
    run.replicaReads =
        List.of(new ReplicaRead("1", 1, stream(0, 1, 2)), new ReplicaRead("3", 1, stream(0, 1)));
    assertEquals(
        List.of(
            1L,
            "chaos-0001 (shard 1) on node 3: offsets 0 to 2, sha256 sha-[0, 1];"
                + " a linearizable read: 0 to 3, sha-[0, 1, 2]"),
        found(new IdenticalReplicas(), run));
  }

  @Nested
  class Subscription {
    @Test
    void aSubscriptionThatStoppedShortSaysWhy() {
      RunBuilder run = new RunBuilder();
      run.consumed = new Consumed(List.of(0L, 1L), "the subscription was at 2 of 3 records");
      assertEquals(
          List.of(1L, "subscription of chaos-0000: the subscription was at 2 of 3 records"),
          found(new SubscriptionSaw(), run));
    }

    /** Every record delivered, then an error: it did not end where it should have. */
    @Test
    void aSubscriptionThatFailedAfterSeeingEverythingStillFails() {
      RunBuilder run = new RunBuilder();
      run.consumed = new Consumed(List.of(0L, 1L, 2L), "gave up");
      assertEquals(
          List.of(1L, "subscription of chaos-0000: gave up"), found(new SubscriptionSaw(), run));
    }

    @Test
    void aSubscriptionThatSawOtherRecordsDiffers() {
      RunBuilder run = new RunBuilder();
      run.consumed = new Consumed(List.of(0L, 2L, 1L), null);
      assertEquals(
          List.of(1L, "subscription of chaos-0000: 3 records, differing from the stream's 3"),
          found(new SubscriptionSaw(), run));
    }
  }

  @Test
  void everyLeaderThatDidNotStepDownCounts() {
    RunBuilder run = new RunBuilder();
    run.notSteppedDown = 2;
    assertEquals(List.of(2L), found(new SteppedDown(), run));
  }

  @Test
  void everyShardSeenBelowItsReplicationCountsAndIsListed() {
    RunBuilder run = new RunBuilder();
    assertEquals(List.of(0L), found(new ReplicationKept(), run));
    run.underReplicated = List.of("shard 2 had voters [1, 2]", "shard 4 had voters [3]");
    assertEquals(
        List.of(2L, "shard 2 had voters [1, 2]", "shard 4 had voters [3]"),
        found(new ReplicationKept(), run));
  }
}
