package io.raftlog.testkit;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A small filesystem mounted at a directory, for "full disk" faults: a tmpfs of a given size, and a
 * ballast file that fills it up to a few bytes ({@link #fill}) and is deleted again ({@link
 * #free}). Mount it at a node's data directory before the node starts (for {@code
 * InProcessCluster}, {@code root/node-N}; for {@code ProcessCluster}, {@code root/node-N/data}).
 *
 * <p>The test (or tool) that mounts one owns it and must {@link #close()} it after the node that
 * writes there has stopped: close deletes the ballast and unmounts, lazily if something still has a
 * file open. Mounting needs root ({@link #mountPermitted()} says whether this process may). Not
 * thread-safe: one thread drives it.
 */
public final class SmallDisk implements AutoCloseable {
  /** The ballast file's name, at the top of the mount. */
  public static final String BALLAST = "smalldisk.ballast";

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

  private final Path dir;
  private boolean mounted = true;

  private SmallDisk(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code megabytes} MiB at {@code dir} (created if missing, must be empty). */
  public static SmallDisk mount(Path dir, int megabytes) throws IOException {
    Files.createDirectories(dir);
    run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0755", "tmpfs", dir.toString());
    return new SmallDisk(dir);
  }

  /** Whether this process may mount a tmpfs (tried once on a scratch directory). */
  public static boolean mountPermitted() {
    Path probe = null;
    try {
      probe = Files.createTempDirectory("smalldisk-probe");
      run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.toString());
      run("umount", probe.toString());
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      if (probe != null) {
        try {
          Files.deleteIfExists(probe);
        } catch (IOException ignored) {
          // a leftover empty temp directory is harmless
        }
      }
    }
  }

  public Path dir() {
    return dir;
  }

  /** Bytes an unprivileged writer could still write here. */
  public long usableBytes() throws IOException {
    return Files.getFileStore(dir).getUsableSpace();
  }

  /**
   * Grows the ballast until at most {@code leaveBytes} stay usable (as of now: writers beside it
   * keep using space). Stops quietly if the disk fills first.
   */
  public void fill(long leaveBytes) throws IOException {
    // fallocate(1) reserves the blocks at once (a GiB in a fraction of a second on tmpfs), where
    // writing them took seconds: a fault that takes long to arrive blurs what is measured.
    FileStore store = Files.getFileStore(dir);
    Path ballast = dir.resolve(BALLAST);
    long toAdd;
    while ((toAdd = store.getUsableSpace() - leaveBytes) > 0) {
      long have = Files.exists(ballast) ? Files.size(ballast) : 0;
      try {
        run(
            "fallocate",
            "-o",
            String.valueOf(have),
            "-l",
            String.valueOf(toAdd),
            ballast.toString());
      } catch (IOException e) {
        if (store.getUsableSpace() > leaveBytes) {
          throw e; // not the full disk we were making
        }
      }
    }
  }

  /** Deletes the ballast: the space it held is usable again. */
  public void free() throws IOException {
    Files.deleteIfExists(dir.resolve(BALLAST));
  }

  /** Deletes the ballast and unmounts (lazily when a file is still open there). */
  @Override
  public void close() throws IOException {
    if (!mounted) {
      return;
    }
    try {
      free();
    } finally {
      try {
        run("umount", dir.toString());
      } catch (IOException busy) {
        run("umount", "-l", dir.toString());
      }
      mounted = false;
    }
  }

  private static void run(String... command) throws IOException {
    Commands.output(COMMAND_TIMEOUT, command);
  }
}
