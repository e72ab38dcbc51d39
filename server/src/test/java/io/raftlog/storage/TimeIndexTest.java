package io.raftlog.storage;

import static io.raftlog.storage.StoreKeys.appendBatch;
import static io.raftlog.storage.StoreKeys.chunkBytes;
import static io.raftlog.storage.StoreKeys.record;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunk index: reads by time (monotonic and going-back timestamps, below the first offset, past
 * the end, across many chunks) and the byte walk of the retention check.
 */
class TimeIndexTest {
  @TempDir Path dir;

  @Test
  void monotonicTimestampsFindTheFirstRecordAtOrAfterTheTime() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendBatch(store, 1, "s", 10, 1000, 1000, 1001);
      appendBatch(store, 2, "s", 10, 2000, 2001);
      appendBatch(store, 3, "s", 10, 3000);
      assertEquals(OptionalLong.of(0), store.offsetAtTime("s", Long.MIN_VALUE));
      assertEquals(OptionalLong.of(0), store.offsetAtTime("s", 0));
      assertEquals(OptionalLong.of(0), store.offsetAtTime("s", 1000));
      assertEquals(OptionalLong.of(2), store.offsetAtTime("s", 1001));
      assertEquals(OptionalLong.of(3), store.offsetAtTime("s", 1002));
      assertEquals(OptionalLong.of(4), store.offsetAtTime("s", 2001));
      assertEquals(OptionalLong.of(5), store.offsetAtTime("s", 2500));
      assertEquals(OptionalLong.of(5), store.offsetAtTime("s", 3000));
      // Past the last record's time: the next offset.
      assertEquals(OptionalLong.of(6), store.offsetAtTime("s", 3001));
      assertEquals(OptionalLong.of(6), store.offsetAtTime("s", Long.MAX_VALUE));
      assertEquals(OptionalLong.empty(), store.offsetAtTime("missing", 0));
      assertEquals(OptionalLong.of(0), store.offsetAtTime("default", 5));

      // Never below the first offset, inside a straddling chunk too.
      try (StoreBatch b = store.newBatch()) {
        b.truncate("s", 1);
        b.commit(4);
      }
      assertEquals(OptionalLong.of(1), store.offsetAtTime("s", 1000));
      assertEquals(OptionalLong.of(2), store.offsetAtTime("s", 1001));
      try (StoreBatch b = store.newBatch()) {
        b.truncate("s", 3);
        b.commit(5);
      }
      assertEquals(OptionalLong.of(3), store.offsetAtTime("s", 0));
      assertEquals(OptionalLong.of(4), store.offsetAtTime("s", 2001));
    }
  }

  @Test
  void timestampsThatGoBackFindWhereTheRunningMaximumReachesTheTime() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendBatch(store, 1, "s", 10, 5000, 1000); // running max 5000, 5000
      appendBatch(store, 2, "s", 10, 2000, 6000, 3000); // 5000, 6000, 6000
      assertEquals(OptionalLong.of(0), store.offsetAtTime("s", 1500));
      assertEquals(OptionalLong.of(0), store.offsetAtTime("s", 5000));
      // Record 2 (2000) is after 5000 in the log: the maximum reaches 5500 at record 3.
      assertEquals(OptionalLong.of(3), store.offsetAtTime("s", 5500));
      assertEquals(OptionalLong.of(5), store.offsetAtTime("s", 6001));
    }
  }

  @Test
  void aTruncatedChunkThatReachedTheTimeMakesTheFirstOffsetTheAnswer() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendBatch(store, 1, "s", 10, 5000); // running max 5000
      appendBatch(store, 2, "s", 10, 1000, 2000); // 5000, 5000: no record of its own reaches it
      appendBatch(store, 3, "s", 10, 6000);
      try (StoreBatch b = store.newBatch()) {
        b.truncate("s", 1);
        b.commit(4);
      }
      // The maximum reached 4000 at offset 0, below the first offset: from the first offset on.
      assertEquals(OptionalLong.of(1), store.offsetAtTime("s", 4000));
      assertEquals(OptionalLong.of(3), store.offsetAtTime("s", 5500));
    }
  }

  @Test
  void everyRecordIsFoundAcrossManyChunks() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      // 100 KiB records: a chunk closes at its third; batches of 7 cut chunks elsewhere too.
      int n = 40;
      for (int i = 0; i < n; i += 7) {
        long[] ts = new long[Math.min(7, n - i)];
        for (int j = 0; j < ts.length; j++) {
          ts[j] = 10_000 + 10L * (i + j);
        }
        appendBatch(store, i + 1, "s", 100 << 10, ts);
      }
      for (int i = 0; i < n; i++) {
        assertEquals(OptionalLong.of(i), store.offsetAtTime("s", 10_000 + 10L * i), "at " + i);
        assertEquals(OptionalLong.of(i + 1), store.offsetAtTime("s", 10_001 + 10L * i));
      }
    }
  }

  @Test
  void theByteWalkKeepsWholeChunksFromTheNewest() {
    try (RocksLogStore store = RocksLogStore.open(dir)) {
      appendBatch(store, 1, "s", 10, 1, 1); // chunk 0-1
      appendBatch(store, 2, "s", 10, 1, 1, 1); // chunk 2-4
      appendBatch(store, 3, "s", 10, 1); // chunk 5
      long c0 = chunkBytes(record(0, 1, 10), record(1, 1, 10));
      long c2 = chunkBytes(record(2, 1, 10), record(3, 1, 10), record(4, 1, 10));
      long c5 = chunkBytes(record(5, 1, 10));
      assertEquals(c0 + c2 + c5, store.stream("s").orElseThrow().storedBytes());
      assertEquals(0, store.offsetKeepingBytes("s", Long.MAX_VALUE));
      assertEquals(0, store.offsetKeepingBytes("s", c0 + c2 + c5));
      assertEquals(2, store.offsetKeepingBytes("s", c0 + c2 + c5 - 1));
      assertEquals(2, store.offsetKeepingBytes("s", c2 + c5));
      assertEquals(5, store.offsetKeepingBytes("s", c2 + c5 - 1));
      assertEquals(5, store.offsetKeepingBytes("s", c5));
      assertEquals(6, store.offsetKeepingBytes("s", c5 - 1));
      assertEquals(6, store.offsetKeepingBytes("s", 0));
      assertEquals(0, store.offsetKeepingBytes("missing", 0));
      // A chunk straddling the first offset is kept whole: the cut is never below the first.
      try (StoreBatch b = store.newBatch()) {
        b.truncate("s", 3);
        b.commit(4);
      }
      assertEquals(c2 + c5, store.stream("s").orElseThrow().storedBytes());
      assertEquals(3, store.offsetKeepingBytes("s", c2 + c5));
      assertEquals(5, store.offsetKeepingBytes("s", c5));
    }
  }
}
