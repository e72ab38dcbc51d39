package io.raftlog.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksLogStoreTest {
  @TempDir Path dir;

  /** Appends to {@code stream} (creating it if needed) in one batch at {@code raftIndex}. */
  private static void appendValues(
      RocksLogStore store, long raftIndex, String stream, String... values) {
    try (StoreBatch b = store.newBatch()) {
      append(b, stream, values);
      b.commit(raftIndex);
    }
  }

  private static void append(StoreBatch b, String stream, String... values) {
    if (b.stream(stream).isEmpty()) {
      b.create(stream, 1000);
    }
    for (String v : values) {
      b.append(
          stream,
          Record.newBuilder()
              .setOffset(b.nextOffset(stream))
              .setValue(ByteString.copyFromUtf8(v))
              .build());
    }
  }

  private static List<String> values(StoredRecords records) {
    return records.records().stream().map(r -> r.getValue().toStringUtf8()).toList();
  }

  private static List<String> all(RocksLogStore store, String stream) {
    return values(store.read(stream, 0, 10_000, 1 << 30).orElseThrow());
  }

  private static List<String> names(RocksLogStore store, String prefix, String after, int limit) {
    return store.streams(prefix, after, limit).stream().map(NamedStream::name).toList();
  }

  @Test
  void readsBackWhatWasAppendedAcrossBatches() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendValues(store, 1, "s", "a", "b");
      appendValues(store, 2, "s", "c");
      assertEquals(3, store.nextOffset("s"));
      assertEquals(2, store.appliedIndex());
      assertEquals(List.of("a", "b", "c"), values(store.read("s", 0, 10, 1 << 20).orElseThrow()));
      assertEquals(List.of("b"), values(store.read("s", 1, 1, 1 << 20).orElseThrow()));
      assertEquals(List.of(), values(store.read("s", 3, 10, 1 << 20).orElseThrow()));
      // Records come with the stream's next offset as of the same read, past the end too.
      assertEquals(3, store.read("s", 1, 1, 1 << 20).orElseThrow().nextOffset());
      assertEquals(3, store.read("s", 7, 10, 1 << 20).orElseThrow().nextOffset());
      assertEquals(3, store.read("s", -1, 10, 1 << 20).orElseThrow().nextOffset());
      // Two chunks: 5 + 7 bytes (offset 0 is not encoded), then 7.
      assertEquals(
          Optional.of(new StreamMeta(1000, 0, 3, 19, 0, RetentionPolicy.KEEP_ALL)),
          store.stream("s"));
    }
  }

  @Test
  void readsFromTheMiddleOfAChunkAndAcrossChunks() {
    // 3,000 records of 300 bytes fill several chunks of CHUNK_BYTES.
    String[] values = new String[3000];
    for (int i = 0; i < values.length; i++) {
      values[i] = String.format("%05d", i) + "v".repeat(295);
    }
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendValues(store, 1, "s", values);
      assertTrue(3000 * 300 > 3 * ChunkCodec.CHUNK_BYTES);
      for (int from : new int[] {0, 1, 870, 871, 1500, 2999}) {
        List<Record> got = store.read("s", from, 1200, 1 << 30).orElseThrow().records();
        assertEquals(Math.min(1200, 3000 - from), got.size(), "from " + from);
        for (int i = 0; i < got.size(); i++) {
          assertEquals(from + i, got.get(i).getOffset());
          assertEquals(values[from + i], got.get(i).getValue().toStringUtf8());
        }
      }
    }
  }

  @Test
  void readStopsAtTheByteLimitButAlwaysReturnsOneRecord() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendValues(store, 1, "s", "x".repeat(100), "y".repeat(100), "z".repeat(100));
      assertEquals(1, store.read("s", 0, 10, 10).orElseThrow().count());
      assertEquals(2, store.read("s", 0, 10, 250).orElseThrow().count());
    }
  }

  @Test
  void interleavedStreamsKeepSeparateDenseOffsets() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      try (StoreBatch b = store.newBatch()) {
        append(b, "x", "x0");
        append(b, "y", "y0", "y1");
        append(b, "x", "x1"); // back to x within the batch: a second chunk of x
        b.commit(1);
        assertEquals(Map.of("x", 2L, "y", 2L), b.changed());
      }
      appendValues(store, 2, "y", "y2");
      appendValues(store, 3, "x", "x2");
      assertEquals(List.of("x0", "x1", "x2"), all(store, "x"));
      assertEquals(List.of("y0", "y1", "y2"), all(store, "y"));
      assertEquals(
          List.of(0L, 1L, 2L),
          store.read("x", 0, 10, 1 << 20).orElseThrow().records().stream()
              .map(Record::getOffset)
              .toList());
      assertEquals(List.of("x1", "x2"), values(store.read("x", 1, 10, 1 << 20).orElseThrow()));
    }
  }

  @Test
  void aStreamNeverReadsAnotherWhoseNameItPrefixes() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendValues(store, 1, "a.b", "ab0", "ab1", "ab2");
      appendValues(store, 2, "a0", "a00");
      appendValues(store, 3, "a", "a-first");
      appendValues(store, 4, "b", "b0");
      assertEquals(List.of("a-first"), all(store, "a"));
      assertEquals(List.of("ab0", "ab1", "ab2"), all(store, "a.b"));
      assertEquals(List.of("a00"), all(store, "a0"));
      // Past a stream's end, and a stream that does not exist: nothing, not a neighbour's records.
      assertEquals(List.of(), values(store.read("a", 1, 10, 1 << 20).orElseThrow()));
      assertEquals(Optional.empty(), store.read("a.", 0, 10, 1 << 20));
      assertEquals(Optional.empty(), store.read("", 0, 10, 1 << 20));
      assertEquals(0, store.nextOffset("a."));
      assertEquals(Optional.empty(), store.stream("a."));
    }
  }

  @Test
  void defaultAlwaysExistsButHasNoMetaUntilWritten() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      assertEquals(Optional.of(StreamMeta.NEVER_WRITTEN), store.stream("default"));
      assertEquals(List.of(), all(store, "default"));
      assertEquals(0, store.read("default", 0, 10, 1 << 20).orElseThrow().nextOffset());
      assertEquals(List.of(), names(store, "", "", 10));
      try (StoreBatch b = store.newBatch()) {
        assertTrue(b.exists("default"));
        assertFalse(b.exists("other"));
        assertThrows(
            IllegalStateException.class, () -> b.append("default", Record.getDefaultInstance()));
      }
    }
  }

  @Test
  void deleteDropsRecordsAndFreesTheName() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendValues(store, 1, "gone", "a", "b", "c");
      appendValues(store, 2, "gone.not", "kept");
      try (StoreBatch b = store.newBatch()) {
        assertEquals(3, b.nextOffset("gone"));
        b.delete("gone");
        assertFalse(b.exists("gone"));
        assertEquals(0, b.nextOffset("gone"));
        b.commit(3);
        assertEquals(Map.of("gone", 0L), b.changed());
      }
      assertEquals(Optional.empty(), store.stream("gone"));
      assertEquals(Optional.empty(), store.read("gone", 0, 10, 1 << 20));
      assertEquals(List.of("kept"), all(store, "gone.not"));

      appendValues(store, 4, "gone", "new");
      assertEquals(List.of("new"), all(store, "gone"));
      assertEquals(1, store.nextOffset("gone"));
    }
  }

  @Test
  void deleteAndCreateAgainInOneBatch() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendValues(store, 1, "s", "old0", "old1");
      try (StoreBatch b = store.newBatch()) {
        append(b, "s", "old2"); // staged, then deleted before it reached the store
        b.delete("s");
        append(b, "s", "new0");
        b.commit(2);
        assertEquals(Map.of("s", 1L), b.changed());
      }
      assertEquals(List.of("new0"), all(store, "s"));
      assertEquals(1, store.nextOffset("s"));
    }
  }

  @Test
  void streamsArePagedInNameOrderWithPrefixAndStartAfter() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      try (StoreBatch b = store.newBatch()) {
        for (String s : List.of("orders.eu", "orders", "audit", "orders.us", "ordersx", "zeta")) {
          b.create(s, 5);
        }
        append(b, "orders.us", "r");
        b.commit(1);
      }
      assertEquals(
          List.of("audit", "orders", "orders.eu", "orders.us", "ordersx", "zeta"),
          names(store, "", "", 100));
      assertEquals(List.of("audit", "orders"), names(store, "", "", 2));
      assertEquals(List.of("orders.eu", "orders.us"), names(store, "", "orders", 2));
      assertEquals(List.of("orders.eu", "orders.us"), names(store, "orders.", "", 100));
      assertEquals(List.of("orders.us"), names(store, "orders.", "orders.eu", 100));
      assertEquals(List.of("orders.eu"), names(store, "orders.", "audit", 1));
      assertEquals(List.of(), names(store, "orders.", "orders.us", 100));
      assertEquals(List.of(), names(store, "q", "", 100));
      assertEquals(
          List.of(
              new NamedStream(
                  "orders.us", new StreamMeta(5, 0, 1, 5, 0, RetentionPolicy.KEEP_ALL))),
          store.streams("orders.u", "", 100));
    }
  }

  @Test
  void everyStreamAndProducerSurvivesReopen() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      for (int i = 0; i < 50; i++) {
        appendValues(store, i + 1, "s" + i, "v".repeat(i % 7 + 1).split(""));
      }
      try (StoreBatch b = store.newBatch()) {
        b.putProducer(42, new byte[] {1, 2, 3});
        b.commit(51);
      }
    }
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      assertEquals(51, store.appliedIndex());
      assertEquals(50, names(store, "", "", 1000).size());
      for (int i = 0; i < 50; i++) {
        assertEquals(i % 7 + 1, store.nextOffset("s" + i), "s" + i);
        assertEquals(i % 7 + 1, all(store, "s" + i).size());
      }
      assertArrayEquals(new byte[] {1, 2, 3}, store.producers().get(42L));
    }
  }

  @Test
  void storesOfOneNodeShareTheirResources() {
    try (StoreResources shared = new StoreResources(8 << 20, 4 << 20);
        RocksLogStore one = RocksLogStore.open(dir.resolve("shard-0"), shared);
        RocksLogStore two = RocksLogStore.open(dir.resolve("shard-1"), shared)) {
      appendValues(one, 1, "s", "in one");
      appendValues(two, 1, "s", "in two");
      assertEquals(List.of("in one"), all(one, "s"));
      assertEquals(List.of("in two"), all(two, "s"));
    }
  }

  @Test
  void restoreFromCheckpointReplacesEverything() {
    Path cp = dir.resolve("checkpoint");
    try (RocksLogStore source = RocksLogStore.open(dir.resolve("source"))) {
      appendValues(source, 5, "a", "a0", "a1", "a2");
      appendValues(source, 6, "b", "b0");
      source.checkpoint(cp);
    }
    assertEquals(6, RocksLogStore.appliedIndexOf(cp));
    try (RocksLogStore target = RocksLogStore.open(dir.resolve("target"))) {
      appendValues(target, 1, "stale", "x");
      appendValues(target, 2, "a", "stale");
      target.restoreFrom(cp);
      assertEquals(6, target.appliedIndex());
      assertEquals(List.of("a", "b"), names(target, "", "", 10));
      assertEquals(List.of("a0", "a1", "a2"), all(target, "a"));
      assertEquals(List.of("b0"), all(target, "b"));
      assertEquals(Optional.empty(), target.stream("stale"));
      appendValues(target, 7, "a", "a3"); // still writable after the swap
      assertEquals(List.of("a0", "a1", "a2", "a3"), all(target, "a"));
    }
    assertEquals(6, RocksLogStore.appliedIndexOf(cp), "the checkpoint itself is left unchanged");
  }

  /**
   * The stream count the metrics read (raftlog_streams) is kept by each batch's creates and
   * deletes, a delete and create of one name in one batch included, and counted again when the
   * store opens or is restored from a checkpoint.
   */
  @Test
  void streamCountFollowsCreatesAndDeletesAndSurvivesReopenAndRestore() {
    Path cp = dir.resolve("checkpoint");
    try (RocksLogStore store = RocksLogStore.open(dir.resolve("a"))) {
      assertEquals(0, store.streamCount());
      appendValues(store, 1, "s1", "x");
      appendValues(store, 2, "s2", "x");
      appendValues(store, 3, "s2", "y"); // an append to an existing stream adds none
      assertEquals(2, store.streamCount());
      try (StoreBatch b = store.newBatch()) {
        b.delete("s1");
        b.create("s1", 2000);
        b.delete("s2");
        b.create("s3", 2000);
        b.commit(4);
      }
      assertEquals(2, store.streamCount(), "s1 deleted and made again, s2 gone, s3 new");
      store.reopen();
      assertEquals(2, store.streamCount(), "counted again on open");
      store.checkpoint(cp);
    }
    try (RocksLogStore other = RocksLogStore.open(dir.resolve("b"))) {
      appendValues(other, 1, "only", "x");
      other.restoreFrom(cp);
      assertEquals(2, other.streamCount(), "the checkpoint's streams");
    }
  }

  /**
   * A store written before {@code g/stream_count} (its key deleted here) is counted once when it
   * opens, and its next batch stores the count, so the open after that reads it.
   */
  @Test
  void aStoreWithoutItsStreamCountIsCountedOnceAndThenStoresIt() throws Exception {
    Path db = dir.resolve("old");
    try (RocksLogStore store = RocksLogStore.open(db)) {
      appendValues(store, 1, "a", "x");
      appendValues(store, 2, "b", "x");
    }
    try (org.rocksdb.Options o = new org.rocksdb.Options();
        org.rocksdb.RocksDB raw = org.rocksdb.RocksDB.open(o, db.toString())) {
      raw.delete(KeyLayout.STREAM_COUNT);
    }
    try (RocksLogStore store = RocksLogStore.open(db)) {
      assertEquals(2, store.streamCount(), "counted on open");
      appendValues(store, 3, "a", "y"); // no stream made or deleted: still stores the count
    }
    try (org.rocksdb.Options o = new org.rocksdb.Options();
        org.rocksdb.RocksDB raw = org.rocksdb.RocksDB.open(o, db.toString())) {
      assertEquals(2, KeyLayout.longOf(raw.get(KeyLayout.STREAM_COUNT)), "stored by the batch");
    }
  }
}
