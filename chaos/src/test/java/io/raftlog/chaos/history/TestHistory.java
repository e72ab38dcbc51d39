package io.raftlog.chaos.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.chaos.history.Violation.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Builds a history file op by op for the checker's tests; {@link #check()} closes and judges it.
 */
final class TestHistory {
  final Path file;
  final HistoryWriter w;

  TestHistory(Path dir) throws IOException {
    file = dir.resolve("history.jsonl");
    w = new HistoryWriter(file);
  }

  /**
   * {@code v} holds violations of {@code kind} only; its first message names each of {@code in}.
   */
  static void caughtAs(Verdict v, Kind kind, String... in) {
    assertTrue(v.count(kind) > 0, () -> kind + " not caught: " + v.line() + " " + v.first());
    assertEquals(v.count(kind), v.violations(), () -> "other kinds too: " + v.first());
    String message = v.first().get(0).toString();
    for (String s : in) {
      assertTrue(message.contains(s), () -> "'" + message + "' does not name " + s);
    }
  }

  long invoke(String stream, String value) {
    long id = w.nextId();
    w.record(Op.appendInvoke(id, "client", stream, value));
    return id;
  }

  void ok(long id, String stream, String value, long offset) {
    w.record(Op.appendOk(id, "client", stream, value, offset));
  }

  /** An append invoked and acknowledged at once. */
  long append(String stream, String value, long offset) {
    long id = invoke(stream, value);
    ok(id, stream, value, offset);
    return id;
  }

  long appendEnds(Op.Type type, String stream, String value) {
    long id = invoke(stream, value);
    w.record(Op.appendNotOk(id, type, "client", stream, value, "DEADLINE_EXCEEDED", "gave up"));
    return id;
  }

  long readInvoke(String stream, long offset, int max) {
    long id = w.nextId();
    w.record(Op.readInvoke(id, "node-2", stream, offset, max));
    return id;
  }

  void readOk(long id, String stream, long from, String... values) {
    long[] offsets = LongStream.range(from, from + values.length).toArray();
    w.record(Op.readOk(id, "node-2", stream, offsets, List.of(values)));
  }

  long subscribe(String stream, long offset) {
    long id = w.nextId();
    w.record(Op.subscribeInvoke(id, "client", stream, offset));
    return id;
  }

  void delivered(long id, String stream, long offset, String value) {
    w.record(Op.delivered(id, "client", stream, offset, value));
  }

  /** A truncate of {@code stream} below {@code before}, answered first offset {@code first}. */
  long truncate(String stream, long before, long first) {
    long id = w.nextId();
    w.record(Op.truncateInvoke(id, "client", stream, before));
    w.record(Op.truncateOk(id, "client", stream, first));
    return id;
  }

  long commitInvoke(String stream, String consumer, long offset) {
    long id = w.nextId();
    w.record(Op.commitInvoke(id, "client", stream, consumer, offset));
    return id;
  }

  /** A commit of {@code offset}, answered committed offset {@code committed}. */
  long commit(String stream, String consumer, long offset, long committed) {
    long id = commitInvoke(stream, consumer, offset);
    w.record(Op.commitOk(id, "client", stream, consumer, committed));
    return id;
  }

  void commitEnds(long id, Op.Type type, String stream, String consumer, String code) {
    w.record(Op.notOk(id, type, Op.F.COMMIT, "client", stream, consumer, code, "x"));
  }

  /** A read-back of the consumer's committed offset, answered {@code committed}. */
  long position(String stream, String consumer, long committed) {
    long id = w.nextId();
    w.record(Op.positionInvoke(id, "client", stream, consumer));
    w.record(Op.positionOk(id, "client", stream, consumer, committed));
    return id;
  }

  void finalPosition(String stream, String consumer, long committed) {
    w.record(Op.finalPosition(w.nextId(), "node-1", stream, consumer, committed));
  }

  /** The final read of {@code stream}: {@code values} at offsets 0, 1, ... */
  void finalLog(String stream, String... values) {
    finalFrom(stream, 0, values);
  }

  /** The final read of {@code stream} from its first offset {@code first}. */
  void finalFrom(String stream, long first, String... values) {
    long[] offsets = LongStream.range(first, first + values.length).toArray();
    w.record(Op.finalPage(w.nextId(), "node-1", stream, first, offsets, List.of(values)));
  }

  Verdict check() throws Exception {
    w.close();
    return HistoryChecker.check(file);
  }
}
