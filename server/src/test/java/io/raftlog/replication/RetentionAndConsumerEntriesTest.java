package io.raftlog.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.Retention;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.internal.v1.AppendBatch;
import io.raftlog.internal.v1.CommitOffset;
import io.raftlog.internal.v1.CreateStream;
import io.raftlog.internal.v1.DeleteConsumer;
import io.raftlog.internal.v1.DeleteStream;
import io.raftlog.internal.v1.ShardEntry;
import io.raftlog.internal.v1.TruncateStreams;
import io.raftlog.internal.v1.Truncation;
import io.raftlog.internal.v1.UpdateStream;
import io.raftlog.replication.AppendOutcome.Kind;
import io.raftlog.replication.AppendOutcome.Rejected;
import io.raftlog.storage.ConsumerPosition;
import io.raftlog.storage.RetentionPolicy;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StreamMeta;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The entries of issue 20 as the state machine applies them: leader timestamps that never go back,
 * truncations (a client's, checked whole; the retention check's, per stream), retention updates and
 * named consumers' commits and deletes, each with its refusals.
 */
class RetentionAndConsumerEntriesTest {
  @TempDir Path dir;

  /** Records of {@code stream}; a value starting with {@code @N} gets producer timestamp N. */
  private static ShardEntry append(long appendTime, String stream, String... values) {
    StreamRecords.Builder p = StreamRecords.newBuilder().setStream(stream);
    for (String v : values) {
      Record.Builder r = Record.newBuilder().setValue(ByteString.copyFromUtf8(v));
      if (v.startsWith("@")) {
        r.setTimestampMs(Long.parseLong(v.substring(1)));
      }
      p.addRecords(r);
    }
    return ShardEntry.newBuilder()
        .setAppend(
            AppendBatch.newBuilder()
                .setAppendTimeMs(appendTime)
                .setCreateStreams(true)
                .setCreateRetention(Retention.newBuilder().setMaxBytes(1 << 20).setMaxAgeMs(0))
                .addParts(p))
        .build();
  }

  private static ShardEntry truncate(boolean byRetention, Object... streamAndBefore) {
    TruncateStreams.Builder t = TruncateStreams.newBuilder();
    for (int i = 0; i < streamAndBefore.length; i += 2) {
      t.addStreams(
          Truncation.newBuilder()
              .setStream((String) streamAndBefore[i])
              .setBeforeOffset(((Number) streamAndBefore[i + 1]).longValue())
              .setByRetention(byRetention));
    }
    return ShardEntry.newBuilder().setTruncate(t).build();
  }

  private static ShardEntry commit(String stream, String consumer, long offset, boolean force) {
    return ShardEntry.newBuilder()
        .setCommit(
            CommitOffset.newBuilder()
                .setStream(stream)
                .setConsumer(consumer)
                .setOffset(offset)
                .setForce(force)
                .setCommitTimeMs(500 + offset))
        .build();
  }

  private static ShardEntry deleteConsumer(String stream, String consumer) {
    return ShardEntry.newBuilder()
        .setDeleteConsumer(DeleteConsumer.newBuilder().setStream(stream).setConsumer(consumer))
        .build();
  }

  private static ShardEntry update(String stream, Retention changes) {
    return ShardEntry.newBuilder()
        .setUpdate(UpdateStream.newBuilder().setStream(stream).setRetention(changes))
        .build();
  }

  /** Applies entries in one round, each with a closure; returns what each closure was told. */
  private static List<AppendOutcome> apply(
      LogStateMachine fsm, long firstIndex, ShardEntry... entries) {
    List<CompletableFuture<AppendOutcome>> results = new ArrayList<>();
    List<EntryIterator.Entry> list = new ArrayList<>();
    for (int i = 0; i < entries.length; i++) {
      CompletableFuture<AppendOutcome> result = new CompletableFuture<>();
      list.add(new EntryIterator.Entry(firstIndex + i, entries[i], new AppendClosure(result)));
      results.add(result);
    }
    fsm.onApply(new EntryIterator(list));
    return results.stream().map(r -> r.getNow(null)).toList();
  }

  private static Rejected rejected(Kind kind, AppendOutcome outcome) {
    Rejected r = assertInstanceOf(Rejected.class, outcome);
    assertEquals(kind, r.kind(), r.reason());
    return r;
  }

  private static List<Long> timestamps(RocksLogStore store, String stream) {
    return store.read(stream, 0, 100, 1 << 20).orElseThrow().records().stream()
        .map(Record::getTimestampMs)
        .toList();
  }

  @Test
  void leaderTimestampsNeverGoBackWithinAStream() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      apply(
          fsm,
          1,
          append(2000, "s", "a"),
          // A leader whose clock is behind (stepped back, or a new leader on a slower clock).
          append(1500, "s", "b", "@700", "c"),
          append(1500, "t", "t0"));
      apply(fsm, 4, append(1800, "s", "d"), append(2500, "s", "e"));
      assertEquals(List.of(2000L, 2000L, 700L, 2000L, 2000L, 2500L), timestamps(store, "s"));
      // Producer timestamps are kept as given and move neither the leader's time nor ...
      StreamMeta s = store.stream("s").orElseThrow();
      assertEquals(2500, s.lastAppendMs());
      assertEquals(2500, s.maxTimestampMs());
      // ... another stream's: each has its own.
      assertEquals(List.of(1500L), timestamps(store, "t"));
      // A stream created by its first write takes the batch's create_retention.
      assertEquals(new RetentionPolicy(0, 1 << 20, 0, false), s.retention());
    }
  }

  @Test
  void aClientsTruncateIsCheckedWholeAndARetentionOneStreamByStream() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      apply(fsm, 1, append(1, "s", "a", "b", "c"), append(1, "t", "x"));
      List<AppendOutcome> out =
          apply(
              fsm,
              3,
              truncate(false, "missing", 0),
              truncate(false, "s", 4),
              // One bad stream of several: nothing of the entry applies.
              truncate(false, "s", 1, "t", 2),
              truncate(false, "s", 2),
              truncate(false, "s", 1),
              truncate(false, "default", 0));
      rejected(Kind.NOT_FOUND, out.get(0));
      Rejected past = rejected(Kind.OUT_OF_RANGE, out.get(1));
      assertEquals(
          "before_offset 4 is past the next offset of stream 's' (first offset 0, next offset 3)",
          past.reason());
      rejected(Kind.OUT_OF_RANGE, out.get(2));
      assertEquals(new AppendOutcome.Truncated(2, 3), out.get(3));
      assertEquals(new AppendOutcome.Truncated(2, 3), out.get(4), "below the first: unchanged");
      assertEquals(new AppendOutcome.Truncated(0, 0), out.get(5), "`default` before a write");
      assertEquals(1, store.nextOffset("t"));
      assertEquals(0, store.stream("t").orElseThrow().firstOffset());

      // The retention check's entry: a stream deleted meanwhile is skipped, past the end clamped.
      out =
          apply(
              fsm,
              9,
              ShardEntry.newBuilder().setDelete(DeleteStream.newBuilder().setStream("t")).build(),
              truncate(true, "t", 1, "s", 99, "missing", 5));
      assertEquals(new AppendOutcome.Truncated(3, 3), out.get(1));
      assertEquals(3, store.stream("s").orElseThrow().firstOffset());
      assertEquals(0, store.stream("s").orElseThrow().storedBytes());
      assertTrue(store.read("s", 2, 10, 1 << 20).orElseThrow().isEmpty());
    }
  }

  @Test
  void consumersCommitRewindOnlyWhenForcedAndAreDeleted() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      apply(fsm, 1, append(1, "s", "a", "b", "c"));
      List<AppendOutcome> out =
          apply(
              fsm,
              2,
              commit("missing", "c", 0, false),
              commit("s", "bad name", 0, false),
              commit("s", "c", 4, false),
              commit("s", "c", 2, false),
              commit("s", "c", 1, false),
              commit("s", "c", 1, true),
              commit("s", "c", 3, false),
              commit("s", "d", 0, false));
      rejected(Kind.NOT_FOUND, out.get(0));
      assertTrue(rejected(Kind.INVALID, out.get(1)).reason().startsWith("consumer: "));
      assertEquals(
          "offset 4 is past the next offset of stream 's' (first offset 0, next offset 3)",
          rejected(Kind.OUT_OF_RANGE, out.get(2)).reason());
      StreamMeta meta = store.stream("s").orElseThrow();
      assertEquals(
          new AppendOutcome.Committed(new ConsumerPosition("c", 2, 502), meta), out.get(3));
      assertEquals(
          "consumer 'c' of stream 's' committed offset 2; a commit below it must be forced (a"
              + " rewind)",
          rejected(Kind.PRECONDITION, out.get(4)).reason());
      assertEquals(
          new AppendOutcome.Committed(new ConsumerPosition("c", 1, 501), meta), out.get(5));
      assertInstanceOf(AppendOutcome.Committed.class, out.get(6));
      assertEquals(Optional.of(new ConsumerPosition("c", 3, 503)), store.consumer("s", "c"));
      assertEquals(
          List.of(new ConsumerPosition("c", 3, 503), new ConsumerPosition("d", 0, 500)),
          store.consumers("s", "", 10));

      // Truncation does not move a consumer; a commit below the first offset is allowed.
      out =
          apply(
              fsm,
              10,
              truncate(false, "s", 3),
              commit("s", "d", 1, false),
              deleteConsumer("s", "c"),
              deleteConsumer("s", "c"),
              deleteConsumer("missing", "c"));
      assertInstanceOf(AppendOutcome.Committed.class, out.get(1));
      assertEquals(new AppendOutcome.ConsumerDeleted(3), out.get(2));
      rejected(Kind.NOT_FOUND, out.get(3));
      rejected(Kind.NOT_FOUND, out.get(4));
      assertEquals(List.of(new ConsumerPosition("d", 1, 501)), store.consumers("s", "", 10));
    }
  }

  @Test
  void anUpdateChangesOnlyTheFieldsItHolds() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      LogStateMachine fsm = new LogStateMachine(store, 100);
      Retention created =
          Retention.newBuilder()
              .setMaxAgeMs(60_000)
              .setMaxBytes(0)
              .setMaxRecords(10)
              .setHoldForConsumers(false)
              .build();
      List<AppendOutcome> out =
          apply(
              fsm,
              1,
              ShardEntry.newBuilder()
                  .setCreate(
                      CreateStream.newBuilder()
                          .setStream("s")
                          .setCreatedMs(9)
                          .setRetention(created))
                  .build(),
              update(
                  "s", Retention.newBuilder().setMaxBytes(5000).setHoldForConsumers(true).build()),
              update("missing", Retention.newBuilder().setMaxBytes(1).build()));
      StreamMeta meta = store.stream("s").orElseThrow();
      assertEquals(new RetentionPolicy(60_000, 5000, 10, true), meta.retention());
      assertEquals(new AppendOutcome.Updated(meta), out.get(1));
      rejected(Kind.NOT_FOUND, out.get(2));
    }
  }
}
