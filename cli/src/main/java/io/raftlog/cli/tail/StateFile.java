package io.raftlog.cli.tail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The file one {@link TailState} lives in: {@code .NAME.to-STREAM.raftlog-tail} beside the file it
 * tracks, or in the {@code --state} directory. Saved atomically (a temporary file written and
 * fsynced, renamed over the old one, the directory fsynced), so a crash leaves the old state or the
 * new one, never half of one. A text file of key=value lines, for people too. Used by one thread,
 * the file's.
 */
final class StateFile {
  static final String SUFFIX = ".raftlog-tail";

  private final Path path;
  private final Path tracked;
  private final String stream;

  StateFile(Path path, Path tracked, String stream) {
    this.path = path;
    this.tracked = tracked;
    this.stream = stream;
  }

  /** Where the state of {@code file} into {@code stream} is kept: beside it, or in {@code dir}. */
  static StateFile of(Path file, String stream, Path dir) {
    Path abs = file.toAbsolutePath().normalize();
    String name = abs.getFileName() + ".to-" + stream.replace('/', '_');
    Path where;
    if (dir == null) {
      where = abs.resolveSibling("." + name + SUFFIX);
    } else {
      // files of the same name in different directories get different state files
      String hash = Integer.toHexString(abs.getParent().toString().hashCode());
      where = dir.resolve(name + "." + hash + SUFFIX);
    }
    return new StateFile(where, abs, stream);
  }

  Path path() {
    return path;
  }

  /** Whether {@code file} is a state file (or its temporary), never a rotated log to read. */
  static boolean isStateFile(Path file) {
    String n = file.getFileName().toString();
    return n.endsWith(SUFFIX) || n.endsWith(SUFFIX + ".tmp");
  }

  /** The saved state, or null if there is none. */
  TailState load() throws IOException {
    Properties p = new Properties();
    try {
      p.load(new StringReader(Files.readString(path, StandardCharsets.UTF_8)));
    } catch (NoSuchFileException none) {
      return null;
    }
    try {
      return new TailState(
          p.getProperty("file.key"),
          new Fingerprint(
              Integer.parseInt(p.getProperty("fingerprint.length")),
              p.getProperty("fingerprint.sha256")),
          Long.parseLong(p.getProperty("position")),
          Long.parseUnsignedLong(p.getProperty("producer.id"), 16),
          Long.parseUnsignedLong(p.getProperty("sequence")),
          Long.parseLong(p.getProperty("pending.end")));
    } catch (RuntimeException e) {
      throw new IOException(
          "the state file " + path + " is damaged (" + e + "): delete it to start again", e);
    }
  }

  void save(TailState s) throws IOException {
    Properties p = new Properties();
    p.setProperty("file", tracked.toString());
    p.setProperty("stream", stream);
    p.setProperty("file.key", s.fileKey());
    p.setProperty("fingerprint.length", Integer.toString(s.fingerprint().length()));
    p.setProperty("fingerprint.sha256", s.fingerprint().sha256());
    p.setProperty("position", Long.toString(s.position()));
    p.setProperty("producer.id", HexFormat.of().toHexDigits(s.producerId()));
    p.setProperty("sequence", Long.toUnsignedString(s.sequence()));
    p.setProperty("pending.end", Long.toString(s.pendingEnd()));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    p.store(bytes, "raftlog tail: where " + tracked + " is in stream " + stream);
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
    }
    try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
      dir.force(true); // the rename itself
    } catch (IOException notOnThisSystem) {
      // some systems cannot open or sync a directory: the rename is as durable as they make it
    }
  }
}
