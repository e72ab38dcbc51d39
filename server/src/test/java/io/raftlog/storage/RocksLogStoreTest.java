package io.raftlog.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksLogStoreTest {
  @TempDir Path dir;

  private static void appendValues(RocksLogStore store, long raftIndex, String... values) {
    try (RocksLogStore.Batch b = store.newBatch()) {
      for (String v : values) {
        b.append(
            Record.newBuilder()
                .setOffset(b.nextOffset())
                .setValue(ByteString.copyFromUtf8(v))
                .build());
      }
      b.commit(raftIndex);
    }
  }

  private static List<String> values(StoredRecords records) {
    return records.records().stream().map(r -> r.getValue().toStringUtf8()).toList();
  }

  @Test
  void readsBackWhatWasAppendedAcrossBatches() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendValues(store, 1, "a", "b");
      appendValues(store, 2, "c");
      assertEquals(3, store.nextOffset());
      assertEquals(2, store.appliedIndex());
      assertEquals(List.of("a", "b", "c"), values(store.read(0, 10, 1 << 20)));
      assertEquals(List.of("b"), values(store.read(1, 1, 1 << 20)));
      assertEquals(List.of(), values(store.read(3, 10, 1 << 20)));
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
      appendValues(store, 1, values);
      assertTrue(3000 * 300 > 3 * RocksLogStore.CHUNK_BYTES);
      for (int from : new int[] {0, 1, 870, 871, 1500, 2999}) {
        List<Record> got = store.read(from, 1200, 1 << 30).records();
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
      appendValues(store, 1, "x".repeat(100), "y".repeat(100), "z".repeat(100));
      assertEquals(1, store.read(0, 10, 10).count());
      assertEquals(2, store.read(0, 10, 250).count());
    }
  }

  @Test
  void recordsAndMetadataSurviveReopen() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendValues(store, 7, "a", "b");
      try (RocksLogStore.Batch b = store.newBatch()) {
        b.putProducer(42, new byte[] {1, 2, 3});
        b.commit(8);
      }
    }
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      assertEquals(2, store.nextOffset());
      assertEquals(8, store.appliedIndex());
      assertEquals(List.of("a", "b"), values(store.read(0, 10, 1 << 20)));
      assertArrayEquals(new byte[] {1, 2, 3}, store.producers().get(42L));
    }
  }

  @Test
  void restoreFromCheckpointReplacesEverything() {
    Path cp = dir.resolve("checkpoint");
    try (RocksLogStore source = RocksLogStore.open(dir.resolve("source"))) {
      appendValues(source, 5, "a", "b", "c");
      source.checkpoint(cp);
    }
    assertEquals(5, RocksLogStore.appliedIndexOf(cp));
    try (RocksLogStore target = RocksLogStore.open(dir.resolve("target"))) {
      appendValues(target, 1, "stale");
      target.restoreFrom(cp);
      assertEquals(3, target.nextOffset());
      assertEquals(5, target.appliedIndex());
      assertEquals(List.of("a", "b", "c"), values(target.read(0, 10, 1 << 20)));
      appendValues(target, 6, "d"); // still writable after the swap
      assertEquals(List.of("a", "b", "c", "d"), values(target.read(0, 10, 1 << 20)));
    }
    assertTrue(RocksLogStore.appliedIndexOf(cp) == 5, "the checkpoint itself is left unchanged");
  }
}
