package io.raftlog.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.internal.v1.AppendBatch;
import io.raftlog.internal.v1.CreateStream;
import io.raftlog.internal.v1.DeleteStream;
import io.raftlog.internal.v1.ShardEntry;
import io.raftlog.replication.AppendOutcome.Appended;
import io.raftlog.replication.AppendOutcome.Kind;
import io.raftlog.replication.AppendOutcome.PartOffsets;
import io.raftlog.replication.AppendOutcome.Rejected;
import io.raftlog.storage.RetentionPolicy;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoredRecords;
import io.raftlog.storage.StreamMeta;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStateMachineTest {
  @TempDir Path dir;

  /** A part of a batch: {@code stream} and its values. */
  private static StreamRecords part(String stream, String... values) {
    StreamRecords.Builder p = StreamRecords.newBuilder().setStream(stream);
    for (String v : values) {
      p.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(v)));
    }
    return p.build();
  }

  private static StreamRecords expecting(long offset, StreamRecords part) {
    return part.toBuilder().setExpectedOffset(offset).build();
  }

  private static ShardEntry append(
      long producer, long seq, long appendTime, StreamRecords... parts) {
    return ShardEntry.newBuilder()
        .setAppend(
            AppendBatch.newBuilder()
                .setProducerId(producer)
                .setSequence(seq)
                .setAppendTimeMs(appendTime)
                .setCreateStreams(true)
                .addAllParts(List.of(parts)))
        .build();
  }

  /** A batch of one part to {@code default}, as a client without streams sends. */
  private static ShardEntry batch(long producer, long seq, long appendTime, String... values) {
    return append(producer, seq, appendTime, part("", values));
  }

  private static ShardEntry withoutAutoCreate(ShardEntry entry) {
    return entry.toBuilder()
        .setAppend(entry.getAppend().toBuilder().setCreateStreams(false))
        .build();
  }

  private static ShardEntry create(String stream, long createdMs) {
    return ShardEntry.newBuilder()
        .setCreate(CreateStream.newBuilder().setStream(stream).setCreatedMs(createdMs))
        .build();
  }

  private static ShardEntry delete(String stream) {
    return ShardEntry.newBuilder().setDelete(DeleteStream.newBuilder().setStream(stream)).build();
  }

  private static Appended appended(boolean duplicate, PartOffsets... parts) {
    return new Appended(List.of(parts), duplicate);
  }

  private static PartOffsets at(String stream, long base, int count) {
    return new PartOffsets(stream, base, count);
  }

  /** Applies entries with a closure each; returns what each closure was told. */
  private static List<Object> apply(LogStateMachine fsm, long firstIndex, ShardEntry... entries) {
    List<CompletableFuture<AppendOutcome>> results = new ArrayList<>();
    List<EntryIterator.Entry> list = new ArrayList<>();
    for (int i = 0; i < entries.length; i++) {
      CompletableFuture<AppendOutcome> result = new CompletableFuture<>();
      list.add(new EntryIterator.Entry(firstIndex + i, entries[i], new AppendClosure(result)));
      results.add(result);
    }
    fsm.onApply(new EntryIterator(list));
    return results.stream().map(LogStateMachineTest::told).toList();
  }

  /** The outcome, the failure, or null if the closure was not run. */
  private static Object told(CompletableFuture<AppendOutcome> result) {
    return result.handle((outcome, failure) -> failure != null ? failure : outcome).getNow(null);
  }

  /** The stream's record values; none for a stream that does not exist. */
  private static List<String> values(RocksLogStore store, String stream) {
    return store
        .read(stream, 0, 1000, 1 << 20)
        .map(StoredRecords::records)
        .orElse(List.of())
        .stream()
        .map(r -> r.getValue().toStringUtf8())
        .toList();
  }

  private static List<String> values(RocksLogStore store) {
    return values(store, "default");
  }

  @Test
  void batchesGetDenseOffsetsAndTheLeadersTimestamp() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      List<Object> out = apply(fsm, 1, batch(0, 0, 1000, "a", "b"), batch(0, 0, 2000, "c"));
      assertEquals(appended(false, at("default", 0, 2)), out.get(0));
      assertEquals(appended(false, at("default", 2, 1)), out.get(1));
      List<Record> records = store.read("default", 0, 10, 1 << 20).orElseThrow().records();
      assertEquals(List.of(0L, 1L, 2L), records.stream().map(Record::getOffset).toList());
      assertEquals(1000, records.get(0).getTimestampMs());
      assertEquals(2000, records.get(2).getTimestampMs());
      // `default` got its meta with its first write.
      // 28 bytes in two chunks; the greatest timestamp and the last the leader gave: 2000.
      assertEquals(
          Optional.of(new StreamMeta(1000, 0, 3, 28, 2000, RetentionPolicy.KEEP_ALL, 2000)),
          store.stream("default"));
    }
  }

  @Test
  void interleavedStreamsKeepTheirOwnDenseOffsets() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      List<String> told = new ArrayList<>();
      fsm.addAppliedListener((stream, next) -> told.add(stream + "@" + next));
      List<Object> out =
          apply(
              fsm,
              1,
              append(0, 0, 1, part("x", "x0"), part("y", "y0", "y1"), part("x", "x1")),
              append(0, 0, 1, part("y", "y2"), part("x", "x2")));
      assertEquals(appended(false, at("x", 0, 1), at("y", 0, 2), at("x", 1, 1)), out.get(0));
      assertEquals(appended(false, at("y", 2, 1), at("x", 2, 1)), out.get(1));
      assertEquals(List.of("x0", "x1", "x2"), values(store, "x"));
      assertEquals(List.of("y0", "y1", "y2"), values(store, "y"));
      assertEquals(List.of("x@3", "y@3"), told, "once per stream per apply round");
    }
  }

  @Test
  void aRetriedBatchIsAnsweredWithEveryPartsOriginalOffsetsAndNotAppended() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      ShardEntry first = append(9, 0, 1, part("a", "a0", "a1"), part("b", "b0"));
      apply(fsm, 1, append(0, 0, 1, part("b", "early")), first, append(9, 1, 1, part("a", "c")));
      List<Object> out = apply(fsm, 4, first, append(9, 3, 1, part("a", "gap")));
      assertEquals(appended(true, at("a", 0, 2), at("b", 1, 1)), out.get(0));
      var gap = assertInstanceOf(Rejected.class, out.get(1));
      assertEquals(Kind.PRECONDITION, gap.kind());
      assertTrue(gap.reason().contains("out of order"), gap.reason());
      assertEquals(List.of("a0", "a1", "c"), values(store, "a"));
      assertEquals(List.of("early", "b0"), values(store, "b"));
    }
  }

  @Test
  void anExpectedOffsetMakesTheWholeBatchConditional() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      apply(fsm, 1, append(0, 0, 1, part("orders", "o0", "o1")));
      List<Object> out =
          apply(
              fsm,
              2,
              append(7, 0, 1, expecting(2, part("orders", "o2"))),
              // The second part expects the offset before the first part of the same batch.
              append(
                  7,
                  1,
                  1,
                  expecting(3, part("orders", "o3")),
                  part("other", "x"),
                  expecting(3, part("orders", "o4"))),
              append(7, 1, 1, expecting(0, part("new", "n0")), expecting(3, part("orders", "o3"))));
      assertEquals(appended(false, at("orders", 2, 1)), out.get(0));
      var stale = assertInstanceOf(Rejected.class, out.get(1));
      assertEquals(Kind.PRECONDITION, stale.kind());
      assertEquals(
          "stream 'orders' is at offset 4, not the expected 3: nothing was appended",
          stale.reason());
      // The rejected batch used no sequence: the same sequence goes through next.
      assertEquals(appended(false, at("new", 0, 1), at("orders", 3, 1)), out.get(2));
      assertEquals(List.of("o0", "o1", "o2", "o3"), values(store, "orders"));
      assertEquals(List.of(), values(store, "other"));
      assertEquals(Optional.empty(), store.stream("other"), "nothing of a rejected batch is kept");
    }
  }

  @Test
  void withoutAutoCreateAMissingStreamRejectsTheBatchButDefaultAlwaysExists() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      List<Object> out =
          apply(
              fsm,
              1,
              create("made", 5),
              withoutAutoCreate(append(0, 0, 1, part("made", "m0"), part("missing", "x"))),
              withoutAutoCreate(append(0, 0, 1, part("made", "m0"), part("", "d0"))));
      var missing = assertInstanceOf(Rejected.class, out.get(1));
      assertEquals(Kind.NOT_FOUND, missing.kind());
      assertEquals(
          "stream 'missing' does not exist (streams.auto-create is off): create it with"
              + " CreateStream",
          missing.reason());
      assertEquals(appended(false, at("made", 0, 1), at("default", 0, 1)), out.get(2));
      assertEquals(List.of("m0"), values(store, "made"));
      assertEquals(List.of("d0"), values(store));
    }
  }

  @Test
  void createAndDeleteAndCreateAgainStartsAtZero() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      List<Object> out =
          apply(
              fsm,
              1,
              create("s", 42),
              create("s", 43),
              create("default", 44),
              append(0, 0, 1, part("s", "a", "b", "c")),
              delete("s"),
              delete("s"));
      assertEquals(new AppendOutcome.Created(new StreamMeta(42, 0, 0)), out.get(0));
      assertEquals(Kind.ALREADY_EXISTS, assertInstanceOf(Rejected.class, out.get(1)).kind());
      assertEquals(Kind.ALREADY_EXISTS, assertInstanceOf(Rejected.class, out.get(2)).kind());
      assertEquals(new AppendOutcome.Deleted(3), out.get(4));
      assertEquals(Kind.NOT_FOUND, assertInstanceOf(Rejected.class, out.get(5)).kind());
      assertEquals(Optional.empty(), store.stream("s"));
      assertEquals(List.of(), values(store, "s"));

      out = apply(fsm, 7, append(0, 0, 1, part("s", "new")));
      assertEquals(appended(false, at("s", 0, 1)), out.get(0));
      assertEquals(List.of("new"), values(store, "s"));
    }
  }

  @Test
  void replayAfterACrashAppendsNothingTwice() {
    ShardEntry[] log = {
      batch(0, 0, 1, "a"), append(5, 0, 1, part("", "b"), part("t", "t0")), batch(0, 0, 1, "c")
    };
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      apply(new LogStateMachine(store, 100), 1, log);
    }
    // On restart without a snapshot, JRaft replays its whole log from index 1.
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      apply(fsm, 1, log);
      assertEquals(List.of("a", "b", "c"), values(store));
      assertEquals(List.of("t0"), values(store, "t"));
      // The producer table came back from storage too.
      List<Object> retry = apply(fsm, 4, log[1]);
      assertEquals(appended(true, at("default", 1, 1), at("t", 0, 1)), retry.get(0));
      apply(fsm, 5, batch(0, 0, 1, "d"));
      assertEquals(List.of("a", "b", "c", "d"), values(store));
    }
  }

  @Test
  void aCorruptEntryStopsTheStateMachineWithoutTouchingTheLog() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      apply(fsm, 1, batch(0, 0, 1, "a"));
      EntryIterator corrupt =
          new EntryIterator(List.of(new EntryIterator.Entry(2, batch(0, 0, 1, "b"), null))) {
            @Override
            public java.nio.ByteBuffer getData() {
              return java.nio.ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, 0x01});
            }
          };
      fsm.onApply(corrupt);
      assertNotNull(corrupt.error);
      assertEquals(List.of("a"), values(store));
      assertEquals(1, store.appliedIndex());
    }
  }

  @Test
  void anEntryOfUnknownKindStopsTheStateMachine() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      EntryIterator it =
          new EntryIterator(
              List.of(
                  new EntryIterator.Entry(1, batch(0, 0, 1, "a"), null),
                  new EntryIterator.Entry(2, ShardEntry.getDefaultInstance(), null)));
      fsm.onApply(it);
      assertNotNull(it.error);
      assertEquals(List.of(), values(store), "the round's earlier entries are not written either");
      assertEquals(0, store.appliedIndex());
    }
  }
}
