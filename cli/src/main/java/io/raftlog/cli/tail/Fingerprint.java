package io.raftlog.cli.tail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a file starts with: the SHA-256 of its first {@code length} bytes (at most {@link #MAX}).
 * With the file key (inode) it tells whether a path still names the file a state was saved for, and
 * finds that file again under another name (a rename, or the copy of a copy-truncate). A length of
 * 0 (nothing read yet) matches every file and identifies none.
 */
record Fingerprint(int length, String sha256) {
  static final int MAX = 1024;
  static final Fingerprint NONE = of(new byte[0], 0);

  /** The fingerprint of {@code channel}'s first {@code min(MAX, upTo, size)} bytes. */
  static Fingerprint read(FileChannel channel, long upTo) throws IOException {
    int n = (int) Math.min(MAX, Math.min(upTo, channel.size()));
    byte[] head = readHead(channel, n);
    return head == null ? null : of(head, head.length);
  }

  /** Whether {@code channel} starts with the bytes this fingerprint was taken of. */
  boolean matches(FileChannel channel) throws IOException {
    if (length == 0) {
      return true;
    }
    byte[] head = readHead(channel, length);
    return head != null && of(head, length).equals(this);
  }

  private static byte[] readHead(FileChannel channel, int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      if (channel.read(buf, buf.position()) < 0) {
        return null; // shorter than n now
      }
    }
    return buf.array();
  }

  private static Fingerprint of(byte[] bytes, int n) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(bytes, 0, n);
      return new Fingerprint(n, HexFormat.of().formatHex(sha.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
