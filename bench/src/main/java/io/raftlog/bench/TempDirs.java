package io.raftlog.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The directories a benchmark made for its stores, removed at its teardown. */
public final class TempDirs {
  private TempDirs() {}

  /** Deletes {@code dir} and everything under it, deepest first. */
  public static void delete(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
