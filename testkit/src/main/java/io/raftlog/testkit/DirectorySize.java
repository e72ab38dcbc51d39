package io.raftlog.testkit;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The bytes a live store holds on disk. RocksDB deletes files while a test walks its directory; a
 * file gone before it is visited counts 0 instead of failing the walk (Files.walk would throw
 * NoSuchFileException from the middle of its stream).
 */
public final class DirectorySize {
  private DirectorySize() {}

  /** Bytes of the regular files under {@code root}; a file deleted meanwhile counts 0. */
  public static long of(Path root) {
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
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw e;
            }
          });
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot measure " + root, e);
    }
    return sum[0];
  }
}
