package io.raftlog.cli.tail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Where {@code --from end} starts: after the file's last line break (within its last 64 KiB). */
final class LastLine {
  private static final int LOOK_BACK = 1 << 16;

  private LastLine() {}

  static long start(FileChannel ch) throws IOException {
    long size = ch.size();
    int n = (int) Math.min(LOOK_BACK, size);
    ByteBuffer buf = ByteBuffer.allocate(n);
    long from = size - n;
    while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
      // read the tail
    }
    byte[] a = buf.array();
    for (int i = buf.position() - 1; i >= 0; i--) {
      if (a[i] == '\n') {
        return from + i + 1;
      }
    }
    return size; // no line break in sight: the line being written starts the stream
  }
}
