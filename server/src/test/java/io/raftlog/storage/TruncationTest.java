package io.raftlog.storage;

import static io.raftlog.storage.StoreKeys.append;
import static io.raftlog.storage.StoreKeys.appendBatch;
import static io.raftlog.storage.StoreKeys.chunkBytes;
import static io.raftlog.storage.StoreKeys.count;
import static io.raftlog.storage.StoreKeys.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.api.v1.Record;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * Truncation in the store: which chunks and index keys go, what the stream's first offset and
 * stored bytes become, what reads below and inside a straddling chunk return; deletes that take the
 * index and consumers along; snapshots that keep first offsets and consumers.
 */
class TruncationTest {
  @TempDir Path dir;

  private static final int BYTES = 20;

  private static List<Long> offsets(RocksLogStore store, String stream, long from) {
    return store.read(stream, from, 1000, 1 << 30).orElseThrow().records().stream()
        .map(Record::getOffset)
        .toList();
  }

  /** Bytes of the chunk holding records {@code from .. until - 1} (timestamp 1 each). */
  private static long chunk(long from, long until) {
    long n = 0;
    for (long o = from; o < until; o++) {
      n += chunkBytes(record(o, 1, BYTES));
    }
    return n;
  }

  /** Four chunks, one per batch: offsets 0-1, 2-3, 4-5, 6-7. */
  private RocksLogStore fourChunks() {
    RocksLogStore store = RocksLogStore.open(dir.resolve("store"));
    for (int i = 0; i < 4; i++) {
      appendBatch(store, i + 1, "s", BYTES, 1, 1);
    }
    assertEquals(chunk(0, 8), store.stream("s").orElseThrow().storedBytes());
    return store;
  }

  private static void truncate(RocksLogStore store, long index, String stream, long before) {
    try (StoreBatch b = store.newBatch()) {
      b.truncate(stream, before);
      assertEquals(Set.of(stream), b.truncated());
      b.commit(index);
    }
  }

  private int records(RocksLogStore store, String stream) {
    return count(store, dir, KeyLayout.recordPrefix(stream));
  }

  private int indexed(RocksLogStore store, String stream) {
    return count(store, dir, KeyLayout.indexPrefix(stream));
  }

  @Test
  void truncatingInsideAChunkKeepsItAndServesFromTheNewFirstOffset() {
    try (RocksLogStore store = fourChunks()) {
      truncate(store, 5, "s", 1);
      StreamMeta m = store.stream("s").orElseThrow();
      assertEquals(1, m.firstOffset());
      assertEquals(chunk(0, 8), m.storedBytes());
      StoredRecords below = store.read("s", 0, 10, 1 << 20).orElseThrow();
      assertTrue(below.isEmpty());
      assertEquals(1, below.firstOffset());
      assertEquals(8, below.nextOffset());
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), offsets(store, "s", 1));
      assertEquals(1, store.read("s", 3, 10, 1 << 20).orElseThrow().firstOffset());
      assertEquals(4, records(store, "s"));
      assertEquals(4, indexed(store, "s"));
    }
  }

  @Test
  void truncatingAtAChunkBoundaryDropsTheWholeChunksBelow() {
    try (RocksLogStore store = fourChunks()) {
      truncate(store, 5, "s", 4);
      assertEquals(4, store.stream("s").orElseThrow().firstOffset());
      assertEquals(chunk(4, 8), store.stream("s").orElseThrow().storedBytes());
      assertTrue(store.read("s", 3, 10, 1 << 20).orElseThrow().isEmpty());
      assertEquals(List.of(4L, 5L, 6L, 7L), offsets(store, "s", 4));
      assertEquals(2, records(store, "s"));
      assertEquals(2, indexed(store, "s"));
    }
  }

  @Test
  void truncatingAcrossChunksKeepsTheStraddlingOneAndReadsStartAtTheOffset() {
    try (RocksLogStore store = fourChunks()) {
      truncate(store, 5, "s", 5);
      assertEquals(chunk(4, 8), store.stream("s").orElseThrow().storedBytes());
      assertEquals(List.of(5L, 6L, 7L), offsets(store, "s", 5));
      assertEquals(List.of(6L, 7L), offsets(store, "s", 6));
      assertEquals(2, records(store, "s"));
      // At or below the first offset: nothing changes, nothing to reclaim.
      try (StoreBatch b = store.newBatch()) {
        b.truncate("s", 3);
        b.truncate("s", 5);
        assertEquals(Set.of(), b.truncated());
        b.commit(6);
      }
      assertEquals(5, store.stream("s").orElseThrow().firstOffset());
      assertEquals(chunk(4, 8), store.stream("s").orElseThrow().storedBytes());
    }
  }

  @Test
  void truncatingAtTheNextOffsetDropsEverythingAndOffsetsAreNotReused() {
    try (RocksLogStore store = fourChunks()) {
      truncate(store, 5, "s", 8);
      StreamMeta m = store.stream("s").orElseThrow();
      assertEquals(8, m.firstOffset());
      assertEquals(8, m.nextOffset());
      assertEquals(0, m.storedBytes());
      assertEquals(0, records(store, "s"));
      assertEquals(0, indexed(store, "s"));
      appendBatch(store, 6, "s", BYTES, 1);
      assertEquals(List.of(8L), offsets(store, "s", 8));
      assertEquals(chunk(8, 9), store.stream("s").orElseThrow().storedBytes());
      assertThrows(IllegalArgumentException.class, () -> truncate(store, 7, "s", 10));
    }
  }

  @Test
  void truncatingAfterAppendsOfTheSameBatchCountsTheStagedChunks() {
    try (RocksLogStore store = RocksLogStore.open(dir.resolve("store"))) {
      appendBatch(store, 1, "s", BYTES, 1, 1); // stored chunk 0-1
      try (StoreBatch b = store.newBatch()) {
        append(b, "s", BYTES, 1, 1, 1); // open chunk 2-4
        append(b, "other", BYTES, 1); // closes it
        append(b, "s", BYTES, 1); // open chunk 5
        b.truncate("s", 3); // drops the stored chunk; 2-4 straddles
        assertEquals(chunk(2, 6), b.stream("s").orElseThrow().storedBytes());
        append(b, "s", BYTES, 1); // chunk 6
        b.truncate("s", 7); // drops the staged chunks 2-4, 5 and 6 too
        assertEquals(0, b.stream("s").orElseThrow().storedBytes());
        append(b, "s", BYTES, 1); // chunk 7
        b.commit(2);
      }
      StreamMeta m = store.stream("s").orElseThrow();
      assertEquals(7, m.firstOffset());
      assertEquals(8, m.nextOffset());
      assertEquals(chunk(7, 8), m.storedBytes());
      assertEquals(List.of(7L), offsets(store, "s", 7));
      assertEquals(1, records(store, "s"));
      assertEquals(1, indexed(store, "s"));
      assertEquals(List.of(0L), offsets(store, "other", 0));
    }
  }

  @Test
  void aDeletedStreamLosesItsIndexAndConsumersAndComesBackClean() {
    try (RocksLogStore store = fourChunks()) {
      try (StoreBatch b = store.newBatch()) {
        b.putConsumer("s", new ConsumerPosition("c", 3, 77));
        b.putConsumer("s2", new ConsumerPosition("c", 1, 77));
        b.commit(5);
      }
      try (StoreBatch b = store.newBatch()) {
        b.delete("s");
        assertEquals(Set.of("s"), b.truncated());
        assertEquals(Optional.empty(), b.consumer("s", "c"));
        b.commit(6);
      }
      assertEquals(0, records(store, "s"));
      assertEquals(0, indexed(store, "s"));
      assertEquals(0, count(store, dir, KeyLayout.consumerPrefix("s")));
      assertEquals(Optional.empty(), store.consumer("s", "c"));
      // A stream whose name extends the deleted one's keeps its consumers.
      assertEquals(Optional.of(new ConsumerPosition("c", 1, 77)), store.consumer("s2", "c"));

      // Deleted and created again in one batch: what follows the delete stays.
      try (StoreBatch b = store.newBatch()) {
        append(b, "s", BYTES, 5);
        b.putConsumer("s", new ConsumerPosition("c", 1, 78));
        b.delete("s");
        append(b, "s", BYTES, 9);
        b.putConsumer("s", new ConsumerPosition("d", 0, 79));
        b.commit(7);
      }
      assertEquals(List.of(0L), offsets(store, "s", 0));
      assertEquals(chunk(0, 1), store.stream("s").orElseThrow().storedBytes());
      assertEquals(List.of(new ConsumerPosition("d", 0, 79)), store.consumers("s", "", 10));
      assertEquals(1, indexed(store, "s"));
      assertEquals(OptionalLong.of(0), store.offsetAtTime("s", 9));
      assertEquals(OptionalLong.of(1), store.offsetAtTime("s", 10));
    }
  }

  @Test
  void consumersArePagedInNameOrder() {
    try (RocksLogStore store = RocksLogStore.open(dir.resolve("store"))) {
      try (StoreBatch b = store.newBatch()) {
        for (String c : List.of("b", "a", "c.1", "c")) {
          b.putConsumer("s", new ConsumerPosition(c, c.length(), 5));
        }
        b.putConsumer("s.x", new ConsumerPosition("z", 1, 5));
        b.commit(1);
      }
      assertEquals(
          List.of("a", "b", "c", "c.1"),
          store.consumers("s", "", 10).stream().map(ConsumerPosition::consumer).toList());
      assertEquals(
          List.of("a", "b"),
          store.consumers("s", "", 2).stream().map(ConsumerPosition::consumer).toList());
      assertEquals(
          List.of("c", "c.1"),
          store.consumers("s", "b", 10).stream().map(ConsumerPosition::consumer).toList());
      assertEquals(
          List.of("c.1"),
          store.consumers("s", "c", 10).stream().map(ConsumerPosition::consumer).toList());
      assertEquals(List.of(), store.consumers("s", "c.1", 10));
      assertEquals(List.of(), store.consumers("t", "", 10));
      assertEquals(Optional.of(new ConsumerPosition("c.1", 3, 5)), store.consumer("s", "c.1"));
    }
  }

  @Test
  void aSnapshotKeepsFirstOffsetsAndConsumers() {
    Path cp = dir.resolve("checkpoint");
    try (RocksLogStore store = fourChunks()) {
      truncate(store, 5, "s", 5);
      try (StoreBatch b = store.newBatch()) {
        b.putConsumer("s", new ConsumerPosition("c", 6, 77));
        b.commit(6);
      }
      store.checkpoint(cp);
    }
    try (RocksLogStore other = RocksLogStore.open(dir.resolve("other"))) {
      other.restoreFrom(cp);
      StreamMeta m = other.stream("s").orElseThrow();
      assertEquals(5, m.firstOffset());
      assertEquals(chunk(4, 8), m.storedBytes());
      assertTrue(other.read("s", 4, 10, 1 << 20).orElseThrow().isEmpty());
      assertEquals(List.of(5L, 6L, 7L), offsets(other, "s", 5));
      assertEquals(Optional.of(new ConsumerPosition("c", 6, 77)), other.consumer("s", "c"));
      assertEquals(8, other.offsetKeepingBytes("s", 0));
    }
  }

  @Test
  void metasWrittenBeforeRetentionStillRead() throws Exception {
    Path store = dir.resolve("old");
    try (Options o = new Options().setCreateIfMissing(true);
        RocksDB db = RocksDB.open(o, store.toString())) {
      db.put(
          KeyLayout.streamKey("old"),
          ByteBuffer.allocate(24).putLong(7).putLong(2).putLong(9).array());
    }
    try (RocksLogStore s = RocksLogStore.open(store)) {
      assertEquals(Optional.of(new StreamMeta(7, 2, 9)), s.stream("old"));
      // Written again in the current form, with what it had.
      try (StoreBatch b = s.newBatch()) {
        b.setRetention("old", new RetentionPolicy(1, 2, 3, true));
        b.commit(1);
      }
      assertEquals(
          Optional.of(new StreamMeta(7, 2, 9, 0, 0, new RetentionPolicy(1, 2, 3, true))),
          s.stream("old"));
    }
  }
}
