package io.raftlog.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.raftlog.replication.DiskSpace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.LongSupplier;

/**
 * The data directory's disk (docs/metrics.md, {@code raftlog_disk_*}, tag {@code dir}): free space
 * and the floor as the disk guard last read them, whether it refuses writes, and the bytes the
 * directory holds. That last one is a walk of the tree, so it is taken at most once every {@link
 * #USED_EVERY_MS} (on the scraping thread that finds it stale) and the value kept in between: a
 * scrape costs no walk of its own. Registered once by {@link NodeMetrics}.
 */
final class DiskMeters {
  /** The bytes used are walked again at most this often. */
  static final long USED_EVERY_MS = 10_000;

  private final Path dir;
  private final LongSupplier clock;
  private long usedBytes;
  private long walkedAtMs = Long.MIN_VALUE;

  DiskMeters(Path dir, LongSupplier clock) {
    this.dir = dir;
    this.clock = clock;
  }

  static void register(MeterRegistry registry, DiskSpace disk) {
    Tags dir = Tags.of("dir", disk.dir().toString());
    DiskMeters used = new DiskMeters(disk.dir(), System::currentTimeMillis);
    Gauge.builder("raftlog.disk.free.bytes", disk::usableBytes)
        .description("usable space of the file system holding the data directory")
        .tags(dir)
        .register(registry);
    Gauge.builder("raftlog.disk.used.bytes", used::usedBytes)
        .description("bytes the data directory holds (walked at most every 10 s)")
        .tags(dir)
        .register(registry);
    Gauge.builder("raftlog.disk.min.free.bytes", disk::minFreeBytes)
        .description("storage.min-free-bytes: below it the node takes no writes")
        .tags(dir)
        .register(registry);
    Gauge.builder("raftlog.disk.full", () -> disk.full() ? 1 : 0)
        .description("1 while the disk guard refuses writes, else 0")
        .register(registry);
  }

  /** Bytes under the directory, walked again when the last walk is older than 10 s. */
  synchronized long usedBytes() {
    long now = clock.getAsLong();
    if (walkedAtMs == Long.MIN_VALUE || now - walkedAtMs >= USED_EVERY_MS) {
      usedBytes = walk(dir);
      walkedAtMs = now;
    }
    return usedBytes;
  }

  /** Bytes of the regular files under {@code root}; files that vanish meanwhile count 0. */
  static long walk(Path root) {
    long[] sum = {0};
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile()) {
                sum[0] += attrs.size();
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE; // deleted by a compaction meanwhile
            }
          });
    } catch (IOException | UncheckedIOException e) {
      // keeps what was summed
    }
    return sum[0];
  }
}
