package io.raftlog.chaos.history;

import static io.raftlog.chaos.history.TestHistory.caughtAs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.chaos.history.Violation.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker on hand-made histories with truncation, retention and named consumers: records below
 * a stream's final first offset may be gone and nowhere else, a truncated record may not come back,
 * first offsets and committed offsets only grow, and a committed offset survives to the end.
 */
class TruncationHistoryTest {
  @TempDir java.nio.file.Path dir;

  /** Three acknowledged records of {@code a}, at offsets 0, 1, 2. */
  private TestHistory threeRecords() throws Exception {
    TestHistory h = new TestHistory(dir);
    h.append("a", "a|0", 0);
    h.append("a", "a|1", 1);
    h.append("a", "a|2", 2);
    return h;
  }

  @Test
  void recordsBelowTheFinalFirstOffsetMayBeMissing() throws Exception {
    TestHistory h = threeRecords();
    long read = h.readInvoke("a", 0, 10);
    h.readOk(read, "a", 0, "a|0", "a|1", "a|2"); // before any truncation: all three
    h.truncate("a", 1, 1);
    long late = h.readInvoke("a", 0, 10);
    h.w.record(Op.readFail(late, "node-1", "a", "OUT_OF_RANGE", "first offset 1, next 3"));
    h.finalFrom("a", 2, "a|2"); // retention dropped offset 1 too, which no truncate answered
    Verdict v = h.check();
    assertTrue(v.ok(), () -> v.line() + " " + v.first());
    assertEquals(2, v.truncatedAway());
    assertEquals(1, v.truncates());
    assertTrue(v.line().contains("acked_truncated=2 truncates=1"), v.line());
  }

  @Test
  void aWhollyTruncatedStreamPasses() throws Exception {
    TestHistory h = threeRecords();
    h.truncate("a", 3, 3);
    h.finalFrom("a", 3);
    Verdict v = h.check();
    assertTrue(v.ok(), () -> v.line() + " " + v.first());
    assertEquals(3, v.truncatedAway());
  }

  @Test
  void missingRecordAboveTheFirstOffsetIsLost() throws Exception {
    TestHistory h = threeRecords();
    h.truncate("a", 1, 1);
    h.finalFrom("a", 1, "a|1"); // offset 2 missing
    caughtAs(h.check(), Kind.LOST, "a offset 2");
  }

  @Test
  void truncatedRecordReturnsToARead() throws Exception {
    TestHistory h = threeRecords();
    long t = h.truncate("a", 2, 2);
    long read = h.readInvoke("a", 1, 10);
    h.readOk(read, "a", 1, "a|1", "a|2");
    h.finalFrom("a", 2, "a|2");
    caughtAs(h.check(), Kind.TRUNCATED_RETURNED, "a offset 1", "read op " + read, "op " + t);
  }

  @Test
  void truncatedRecordReturnsToASubscriptionOpenedAfter() throws Exception {
    TestHistory h = threeRecords();
    h.truncate("a", 1, 1);
    long sub = h.subscribe("a", 0);
    h.delivered(sub, "a", 0, "a|0");
    h.finalFrom("a", 1, "a|1", "a|2");
    caughtAs(h.check(), Kind.TRUNCATED_RETURNED, "a offset 0", "subscription " + sub);
  }

  @Test
  void readConcurrentWithATruncateMaySeeTheOldRecords() throws Exception {
    TestHistory h = threeRecords();
    long read = h.readInvoke("a", 0, 10);
    h.truncate("a", 2, 2);
    h.readOk(read, "a", 0, "a|0", "a|1", "a|2");
    h.finalFrom("a", 2, "a|2");
    Verdict v = h.check();
    assertTrue(v.ok(), () -> v.line() + " " + v.first());
  }

  @Test
  void finalReadBelowAnAnsweredTruncation() throws Exception {
    TestHistory h = threeRecords();
    long t = h.truncate("a", 2, 2);
    h.finalFrom("a", 1, "a|1", "a|2"); // offset 1 came back
    caughtAs(h.check(), Kind.TRUNCATED_RETURNED, "starts at offset 1", "truncate op " + t);
  }

  @Test
  void truncateAnswersAFirstOffsetBelowAnEarlierOne() throws Exception {
    TestHistory h = threeRecords();
    h.truncate("a", 2, 2);
    long back = h.truncate("a", 1, 1); // answered 1, after 2 had been answered
    h.finalFrom("a", 2, "a|2");
    caughtAs(
        h.check(), Kind.FIRST_OFFSET_WENT_BACK, "truncate op " + back, "answered first offset 1");
  }

  @Test
  void outOfRangeFromAnOffsetNeverTruncatedIsStale() throws Exception {
    TestHistory h = threeRecords();
    h.truncate("a", 1, 1);
    long read = h.readInvoke("a", 2, 10); // at or above the final first offset: must be there
    h.w.record(Op.readFail(read, "node-3", "a", "OUT_OF_RANGE", "below the first offset"));
    h.finalFrom("a", 1, "a|1", "a|2");
    caughtAs(h.check(), Kind.STALE_READ, "read op " + read, "OUT_OF_RANGE");
  }

  @Test
  void consumerCommitsReadBackAndSurvive() throws Exception {
    TestHistory h = threeRecords();
    h.commit("a", "c", 1, 1);
    h.position("a", "c", 1);
    h.commit("a", "c", 3, 3);
    long unknown = h.commitInvoke("a", "c", 5); // may have been applied
    h.commitEnds(unknown, Op.Type.UNKNOWN, "a", "c", "DEADLINE_EXCEEDED");
    h.finalLog("a", "a|0", "a|1", "a|2");
    h.finalPosition("a", "c", 5);
    Verdict v = h.check();
    assertTrue(v.ok(), () -> v.line() + " " + v.first());
    assertEquals(2, v.commits());
    assertEquals(1, v.positions());
  }

  @Test
  void readBackOfACommitGoesBack() throws Exception {
    TestHistory h = threeRecords();
    long c = h.commit("a", "c", 2, 2);
    long back = h.position("a", "c", 1);
    h.finalLog("a", "a|0", "a|1", "a|2");
    h.finalPosition("a", "c", 2);
    caughtAs(h.check(), Kind.COMMIT_WENT_BACK, "position op " + back, "op " + c);
  }

  @Test
  void acknowledgedCommitIsLostAtTheEnd() throws Exception {
    TestHistory h = threeRecords();
    h.commit("a", "c", 1, 1);
    long c = h.commit("a", "c", 3, 3);
    h.finalLog("a", "a|0", "a|1", "a|2");
    h.finalPosition("a", "c", 1);
    caughtAs(h.check(), Kind.COMMIT_LOST, "a/c ends at committed offset 1", "op " + c);
  }

  @Test
  void failedCommitTakesEffect() throws Exception {
    TestHistory h = threeRecords();
    h.commit("a", "c", 1, 1);
    long f = h.commitInvoke("a", "c", 3);
    h.commitEnds(f, Op.Type.FAIL, "a", "c", "OUT_OF_RANGE");
    h.finalLog("a", "a|0", "a|1", "a|2");
    h.finalPosition("a", "c", 3);
    caughtAs(h.check(), Kind.COMMIT_LOST, "which no commit could set");
  }
}
