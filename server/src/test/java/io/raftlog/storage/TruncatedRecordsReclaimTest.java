package io.raftlog.storage;

import static io.raftlog.storage.StoreKeys.appendBatch;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.testkit.Await;
import io.raftlog.testkit.DirectorySize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated records leave the disk: {@link RocksLogStore#reclaim} compacts their range away in the
 * background, and the blob files that held only them are deleted ({@link Reclaimer}).
 */
class TruncatedRecordsReclaimTest {
  private static final int RECORD_BYTES = 32 << 10;
  private static final int BATCHES = 1_600; // 50 MiB, 1 record a batch

  @TempDir Path dir;

  @Test
  void truncatedRecordsLeaveTheDiskOnceReclaimed() {
    try (RocksLogStore store = RocksLogStore.open(dir.resolve("store"))) {
      for (int i = 0; i < BATCHES; i++) {
        appendBatch(store, i + 1, "s", RECORD_BYTES, 1);
      }
      store.checkpoint(dir.resolve("flushed")); // flushes the memtables to files
      deleteTree(dir.resolve("flushed"));
      long full = DirectorySize.of(dir.resolve("store"));
      assertTrue(full > 40L << 20, "the store holds its 50 MiB: " + full);

      try (StoreBatch b = store.newBatch()) {
        b.truncate("s", BATCHES - 1);
        b.commit(BATCHES + 1);
      }
      store.reclaim(List.of("s"));
      // A background compaction of 50 MiB: over 30 s on a loaded two-core machine.
      Await.until(
          Duration.ofSeconds(120),
          "the truncated 50 MiB to leave the disk",
          () -> DirectorySize.of(dir.resolve("store")) < 8L << 20);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
