package io.raftlog.chaos.history;

import static io.raftlog.chaos.history.TestHistory.caughtAs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.chaos.history.Violation.Kind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker on hand-made histories written through {@link HistoryWriter}: a valid one passes, and
 * for each kind of violation a history holding exactly that one is caught as that kind, with a
 * message naming the stream, the offset and the op.
 */
class HistoryCheckerTest {
  @TempDir Path dir;

  @Test
  void validHistoryPasses() throws Exception {
    TestHistory h = new TestHistory(dir);
    long sub = h.subscribe("a", 0);
    h.append("a", "a|0", 0);
    h.delivered(sub, "a", 0, "a|0");
    h.append("b", "b|0", 0);
    long unknown = h.invoke("a", "a|1"); // in the log once, outcome unknown: fine
    long read = h.readInvoke("a", 0, 10);
    h.readOk(read, "a", 0, "a|0"); // may or may not see the unknown one
    h.appendEnds(Op.Type.UNKNOWN, "a", "a|1x"); // never appended
    h.w.record(Op.appendNotOk(unknown, Op.Type.UNKNOWN, "client", "a", "a|1", "UNAVAILABLE", "x"));
    long failed = h.invoke("b", "b|bad");
    h.w.record(
        Op.appendNotOk(failed, Op.Type.FAIL, "client", "b", "b|bad", "INVALID_ARGUMENT", "x"));
    h.append("a", "a|2", 2);
    h.delivered(sub, "a", 1, "a|1");
    long full = h.readInvoke("a", 1, 1);
    h.readOk(full, "a", 1, "a|1"); // cut short by max 1: not stale although offset 2 is acked
    h.delivered(sub, "a", 2, "a|2");
    h.invoke("b", "b|1"); // never completed: unknown, in the log once
    h.finalLog("a", "a|0", "a|1", "a|2");
    h.finalLog("b", "b|0", "b|1");
    h.finalLog("c");
    Verdict v = h.check();
    assertTrue(v.ok(), () -> v.line() + " " + v.first());
    assertEquals(3, v.appendsOk());
    assertEquals(1, v.appendsFailed());
    assertEquals(3, v.appendsUnknown());
    assertEquals(2, v.reads());
    assertEquals(3, v.deliveries());
    assertEquals(5, v.finalRecords());
    assertTrue(v.line().startsWith("history: ok "), v.line());
  }

  @Test
  void lostAcknowledgedAppend() throws Exception {
    TestHistory h = new TestHistory(dir);
    h.append("a", "a|0", 0);
    long lost = h.append("a", "a|1", 1);
    h.finalLog("a", "a|0");
    caughtAs(h.check(), Kind.LOST, "a offset 1", "append op " + lost);
  }

  @Test
  void duplicatedAcknowledgedAppend() throws Exception {
    TestHistory h = new TestHistory(dir);
    long twice = h.append("a", "a|0", 0);
    h.finalLog("a", "a|0", "a|0");
    caughtAs(h.check(), Kind.DUPLICATED, "append op " + twice, "a offset 0, a offset 1");
  }

  @Test
  void misplacedAppend() throws Exception {
    TestHistory h = new TestHistory(dir);
    long x = h.invoke("a", "a|0");
    long y = h.invoke("a", "a|1");
    h.ok(x, "a", "a|0", 0);
    h.ok(y, "a", "a|1", 1);
    h.finalLog("a", "a|1", "a|0"); // swapped after the acknowledgements
    Verdict v = h.check();
    caughtAs(v, Kind.MISPLACED, "a offset 0", "append op " + x, "at a offset 1");
    assertEquals(2, v.count(Kind.MISPLACED));
  }

  @Test
  void appendInAnotherStreamIsMisplaced() throws Exception {
    TestHistory h = new TestHistory(dir);
    long x = h.append("a", "a|0", 0);
    h.finalLog("a");
    h.finalLog("b", "a|0");
    caughtAs(h.check(), Kind.MISPLACED, "append op " + x, "b offset 0");
  }

  @Test
  void unknownAppendTwice() throws Exception {
    TestHistory h = new TestHistory(dir);
    long u = h.appendEnds(Op.Type.UNKNOWN, "a", "a|0");
    h.finalLog("a", "a|0", "a|0");
    caughtAs(h.check(), Kind.UNKNOWN_TWICE, "append op " + u, "a offset 0, a offset 1");
  }

  @Test
  void failedAppendPresent() throws Exception {
    TestHistory h = new TestHistory(dir);
    long f = h.appendEnds(Op.Type.FAIL, "a", "a|0");
    h.finalLog("a", "a|0");
    caughtAs(h.check(), Kind.FAILED_PRESENT, "append op " + f, "a offset 0");
  }

  @Test
  void staleReadMissesAcknowledgedAppend() throws Exception {
    TestHistory h = new TestHistory(dir);
    h.append("a", "a|0", 0);
    long acked = h.append("a", "a|1", 1);
    long read = h.readInvoke("a", 1, 10);
    h.readOk(read, "a", 1); // nothing from offset 1, but offset 1 was acknowledged before
    h.finalLog("a", "a|0", "a|1");
    caughtAs(h.check(), Kind.STALE_READ, "read op " + read, "append op " + acked, "offset 1");
  }

  @Test
  void staleReadSaysPastTheEnd() throws Exception {
    TestHistory h = new TestHistory(dir);
    h.append("a", "a|0", 0);
    long acked = h.append("a", "a|1", 1);
    long read = h.readInvoke("a", 2, 10);
    h.w.record(Op.readFail(read, "node-3", "a", "OUT_OF_RANGE", "offset 2 is past the end"));
    h.finalLog("a", "a|0", "a|1");
    caughtAs(h.check(), Kind.STALE_READ, "read op " + read, "OUT_OF_RANGE", "append op " + acked);
  }

  @Test
  void readOfAppendAcknowledgedAfterItsInvokeIsNotStale() throws Exception {
    TestHistory h = new TestHistory(dir);
    long read = h.readInvoke("a", 0, 10);
    h.append("a", "a|0", 0); // concurrent with the read: it may or may not see it
    h.readOk(read, "a", 0);
    h.finalLog("a", "a|0");
    assertTrue(h.check().ok());
  }

  @Test
  void dirtyReadReturnsValueTheFinalLogDoesNotHoldThere() throws Exception {
    TestHistory h = new TestHistory(dir);
    h.append("a", "a|0", 0);
    long read = h.readInvoke("a", 0, 10);
    h.readOk(read, "a", 0, "a|0", "a|ghost");
    h.finalLog("a", "a|0");
    caughtAs(h.check(), Kind.DIRTY_READ, "a offset 1", "read op " + read, "a|ghost");
  }

  @Test
  void dirtySubscriptionDelivery() throws Exception {
    TestHistory h = new TestHistory(dir);
    long sub = h.subscribe("a", 0);
    h.append("a", "a|0", 0);
    h.delivered(sub, "a", 0, "a|lost-later");
    h.finalLog("a", "a|0");
    caughtAs(h.check(), Kind.DIRTY_READ, "a offset 0", "subscription " + sub);
  }

  @Test
  void subscriptionSkipsAnOffset() throws Exception {
    TestHistory h = new TestHistory(dir);
    long sub = h.subscribe("a", 0);
    h.append("a", "a|0", 0);
    h.append("a", "a|1", 1);
    h.append("a", "a|2", 2);
    h.delivered(sub, "a", 0, "a|0");
    h.delivered(sub, "a", 2, "a|2");
    h.finalLog("a", "a|0", "a|1", "a|2");
    caughtAs(h.check(), Kind.SUBSCRIPTION_GAP, "subscription " + sub, "offset 2", "offset 1");
  }

  @Test
  void offsetWentBack() throws Exception {
    TestHistory h = new TestHistory(dir);
    long first = h.append("a", "a|0", 1);
    long later = h.append("a", "a|1", 0); // invoked after the first was acknowledged at 1
    h.finalLog("a", "a|1", "a|0");
    caughtAs(h.check(), Kind.OFFSET_WENT_BACK, "append op " + later, "append op " + first);
  }

  @Test
  void valueNeverSent() throws Exception {
    TestHistory h = new TestHistory(dir);
    h.append("a", "a|0", 0);
    h.finalLog("a", "a|0", "nobody|sent|this");
    caughtAs(h.check(), Kind.NEVER_SENT, "a offset 1");
  }

  @Test
  void finalLogWithAHole() throws Exception {
    TestHistory h = new TestHistory(dir);
    h.append("a", "a|0", 0);
    h.append("a", "a|1", 2);
    h.w.record(Op.finalPage(9, "node-1", "a", new long[] {0, 2}, List.of("a|0", "a|1")));
    caughtAs(h.check(), Kind.FINAL_NOT_DENSE, "a", "from offset 0 to 2");
  }

  /** The format as a person would write it by hand, one JSON object a line. */
  @Test
  void handWrittenLinesAreRead() throws Exception {
    Path file = dir.resolve("hand.jsonl");
    Files.writeString(
        file,
        String.join(
            "\n",
            "{\"id\":1,\"type\":\"invoke\",\"f\":\"append\",\"time\":10,\"node\":\"client\","
                + "\"stream\":\"s\",\"value\":\"v0\"}",
            "{\"id\":1,\"type\":\"ok\",\"f\":\"append\",\"time\":20,\"node\":\"client\","
                + "\"stream\":\"s\",\"offset\":0,\"value\":\"v0\"}",
            "{\"id\":2,\"type\":\"invoke\",\"f\":\"read\",\"time\":30,\"node\":\"node-1\","
                + "\"stream\":\"s\",\"offset\":0,\"max\":5}",
            "{\"id\":2,\"type\":\"ok\",\"f\":\"read\",\"time\":40,\"node\":\"node-1\","
                + "\"stream\":\"s\",\"offsets\":[],\"values\":[]}",
            "{\"id\":3,\"type\":\"ok\",\"f\":\"final\",\"time\":50,\"node\":\"node-1\","
                + "\"stream\":\"s\",\"offsets\":[0],\"values\":[\"v0\"]}",
            ""));
    Verdict v = HistoryChecker.check(file);
    caughtAs(v, Kind.STALE_READ, "read op 2", "append op 1");
  }

  @Test
  void notJsonIsABadFileNamingTheLine() throws Exception {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(
        file,
        "{\"id\":3,\"type\":\"ok\",\"f\":\"final\",\"time\":50,\"stream\":\"s\",\"offsets\":[],"
            + "\"values\":[]}\n{\"id\": oops}\n");
    HistoryFormatException e =
        assertThrows(HistoryFormatException.class, () -> HistoryChecker.check(file));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void unknownTypeIsABadFile() throws Exception {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(
        file, "{\"id\":1,\"type\":\"maybe\",\"f\":\"append\",\"time\":0,\"stream\":\"s\"}\n");
    HistoryFormatException e =
        assertThrows(HistoryFormatException.class, () -> HistoryChecker.check(file));
    assertTrue(e.getMessage().contains("\"type\" is maybe"), e.getMessage());
  }

  @Test
  void historyWithoutFinalReadsCannotBeJudged() throws Exception {
    TestHistory h = new TestHistory(dir);
    h.append("a", "a|0", 0);
    HistoryFormatException e = assertThrows(HistoryFormatException.class, h::check);
    assertTrue(e.getMessage().contains("no final reads"), e.getMessage());
  }

  @Test
  void sameValueSentTwiceCannotBeJudged() throws Exception {
    TestHistory h = new TestHistory(dir);
    h.append("a", "a|0", 0);
    h.append("a", "a|0", 1);
    h.finalLog("a", "a|0", "a|0");
    HistoryFormatException e = assertThrows(HistoryFormatException.class, h::check);
    assertTrue(e.getMessage().contains("value of its own"), e.getMessage());
  }

  @Test
  void cliExitCodes() throws Exception {
    TestHistory good = new TestHistory(dir);
    good.append("a", "a|0", 0);
    good.finalLog("a", "a|0");
    good.w.close();
    assertEquals(0, cli(good.file.toString()));

    Path badHistory = dir.resolve("lost.jsonl");
    try (HistoryWriter w = new HistoryWriter(badHistory)) {
      for (int i = 0; i < 30; i++) {
        w.record(Op.appendInvoke(i + 1, "client", "a", "a|" + i));
        w.record(Op.appendOk(i + 1, "client", "a", "a|" + i, i));
      }
      w.record(Op.finalPage(99, "node-1", "a", new long[0], List.of()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(1, CheckHistoryMain.run(new String[] {badHistory.toString()}, print(out), null));
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertTrue(
        lines[0].startsWith("history: VIOLATIONS ") && lines[0].contains("lost=30"), lines[0]);
    assertEquals(1 + CheckHistoryMain.SHOWN + 1, lines.length, Arrays.toString(lines));

    Files.writeString(dir.resolve("junk"), "not json\n");
    assertEquals(2, cli(dir.resolve("junk").toString()));
    assertEquals(2, cli(dir.resolve("absent").toString()));
  }

  private static int cli(String arg) {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    return CheckHistoryMain.run(new String[] {arg}, print(sink), print(sink));
  }

  private static PrintStream print(ByteArrayOutputStream to) {
    return new PrintStream(to, true, StandardCharsets.UTF_8);
  }
}
