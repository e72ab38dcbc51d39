package io.raftlog.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** raftlog_disk_used_bytes walks the data directory at most once every 10 s, not per scrape. */
class DiskMetersTest {
  @TempDir Path dir;

  @Test
  void usedBytesAreWalkedAgainOnlyAfterTenSeconds() throws Exception {
    Files.write(dir.resolve("a"), new byte[100]);
    Files.createDirectories(dir.resolve("sub"));
    Files.write(dir.resolve("sub").resolve("b"), new byte[50]);
    AtomicLong now = new AtomicLong(1_000_000);
    DiskMeters used = new DiskMeters(dir, now::get);
    assertEquals(150, used.usedBytes(), "every file under the directory");
    Files.write(dir.resolve("c"), new byte[25]);
    now.addAndGet(DiskMeters.USED_EVERY_MS - 1);
    assertEquals(150, used.usedBytes(), "a scrape within 10 s reads the last walk");
    now.addAndGet(1);
    assertEquals(175, used.usedBytes(), "10 s later it walks again");
  }
}
