package io.raftlog.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.internal.v1.AppendBatch;
import io.raftlog.storage.RocksLogStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStateMachineTest {
  @TempDir Path dir;

  private static AppendBatch batch(long producer, long seq, long appendTime, String... values) {
    AppendBatch.Builder b =
        AppendBatch.newBuilder()
            .setProducerId(producer)
            .setSequence(seq)
            .setAppendTimeMs(appendTime);
    for (String v : values) {
      b.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(v)));
    }
    return b.build();
  }

  /** Applies entries with a closure each; returns what each closure was told. */
  private static List<Object> apply(LogStateMachine fsm, long firstIndex, AppendBatch... batches) {
    List<CompletableFuture<AppendOutcome>> results = new ArrayList<>();
    List<EntryIterator.Entry> entries = new ArrayList<>();
    for (int i = 0; i < batches.length; i++) {
      CompletableFuture<AppendOutcome> result = new CompletableFuture<>();
      entries.add(new EntryIterator.Entry(firstIndex + i, batches[i], new AppendClosure(result)));
      results.add(result);
    }
    fsm.onApply(new EntryIterator(entries));
    return results.stream().map(LogStateMachineTest::told).toList();
  }

  /** The outcome, the failure, or null if the closure was not run. */
  private static Object told(CompletableFuture<AppendOutcome> result) {
    return result.handle((outcome, failure) -> failure != null ? failure : outcome).getNow(null);
  }

  private static List<String> values(RocksLogStore store) {
    return store.read(0, 1000, 1 << 20).records().stream()
        .map(r -> r.getValue().toStringUtf8())
        .toList();
  }

  @Test
  void batchesGetDenseOffsetsAndTheLeadersTimestamp() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      List<Object> out = apply(fsm, 1, batch(0, 0, 1000, "a", "b"), batch(0, 0, 2000, "c"));
      assertEquals(new AppendOutcome.Appended(0, 2, false), out.get(0));
      assertEquals(new AppendOutcome.Appended(2, 1, false), out.get(1));
      List<Record> records = store.read(0, 10, 1 << 20).records();
      assertEquals(List.of(0L, 1L, 2L), records.stream().map(Record::getOffset).toList());
      assertEquals(1000, records.get(0).getTimestampMs());
      assertEquals(2000, records.get(2).getTimestampMs());
    }
  }

  @Test
  void aRetriedBatchIsAnsweredWithItsOriginalOffsetsAndNotAppended() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      apply(fsm, 1, batch(9, 0, 1, "a", "b"), batch(9, 1, 1, "c"));
      List<Object> out = apply(fsm, 3, batch(9, 0, 1, "a", "b"), batch(9, 3, 1, "gap"));
      assertEquals(new AppendOutcome.Appended(0, 2, true), out.get(0));
      var gap = assertInstanceOf(AppendOutcome.Rejected.class, out.get(1));
      assertTrue(gap.reason().contains("out of order"), gap.reason());
      assertEquals(List.of("a", "b", "c"), values(store));
    }
  }

  @Test
  void replayAfterACrashAppendsNothingTwice() {
    AppendBatch[] log = {batch(0, 0, 1, "a"), batch(5, 0, 1, "b"), batch(0, 0, 1, "c")};
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      apply(new LogStateMachine(store, 100), 1, log);
    }
    // On restart without a snapshot, JRaft replays its whole log from index 1.
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      apply(fsm, 1, log);
      assertEquals(List.of("a", "b", "c"), values(store));
      // The producer table came back from storage too.
      List<Object> retry = apply(fsm, 4, batch(5, 0, 1, "b"));
      assertEquals(new AppendOutcome.Appended(1, 1, true), retry.get(0));
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
}
