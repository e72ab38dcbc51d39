package io.raftlog.cli.tail;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which file is which: a file's key (on Linux and macOS its device and inode, which a rename keeps
 * and a new file does not share), and where a file a state names is now: still at its path, or
 * beside it under another name (renamed by a rotation, or the copy of a copy-truncate), found by
 * its key and its {@link Fingerprint}. Stateless.
 */
final class FileIdentity {
  private FileIdentity() {}

  /** An open file: its channel and its key. */
  record Opened(Path path, FileChannel channel, String key) {}

  /** The key of the file at {@code path} now, or null if there is none. */
  static String keyOf(Path path) throws IOException {
    try {
      Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
      return key == null ? "" : key.toString();
    } catch (NoSuchFileException gone) {
      return null;
    }
  }

  /** Opens the file at {@code path} with its key, or answers null if there is none. */
  static Opened open(Path path) throws IOException {
    while (true) {
      String before = keyOf(path);
      if (before == null) {
        return null;
      }
      FileChannel ch;
      try {
        ch = FileChannel.open(path, StandardOpenOption.READ);
      } catch (NoSuchFileException gone) {
        return null;
      }
      // a rotation between the look and the open: the key must be that of what was opened
      if (before.equals(keyOf(path))) {
        return new Opened(path, ch, before);
      }
      ch.close();
    }
  }

  /**
   * The file a state names, holding at least {@code size} bytes: the one at {@code path} if it is
   * still that file, else one beside it with the same fingerprint (or, with an empty fingerprint,
   * the same key), preferring the same key; null if none.
   */
  static Opened locate(Path path, String key, Fingerprint fp, long size) throws IOException {
    Opened at = open(path);
    if (at != null) {
      if (at.key.equals(key) && at.channel.size() >= size && fp.matches(at.channel)) {
        return at;
      }
      at.channel.close();
    }
    List<Opened> found = new ArrayList<>();
    try (Stream<Path> siblings = Files.list(path.getParent())) {
      for (Path p : (Iterable<Path>) siblings::iterator) {
        if (p.equals(path) || StateFile.isStateFile(p) || !Files.isRegularFile(p)) {
          continue;
        }
        Opened o = open(p);
        if (o == null) {
          continue;
        }
        boolean same =
            o.channel.size() >= size
                && (fp.length() > 0 ? fp.matches(o.channel) : o.key.equals(key));
        if (same) {
          found.add(o);
        } else {
          o.channel.close();
        }
      }
    }
    Opened best = null;
    for (Opened o : found) {
      if (best == null || (o.key.equals(key) && !best.key.equals(key))) {
        best = o;
      }
    }
    for (Opened o : found) {
      if (o != best) {
        o.channel.close();
      }
    }
    return best;
  }
}
