package io.raftlog.cli.tail;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The lines of a file, read through a channel from a position, as bytes (no charset decoding). A
 * line's value has no line break (nor a CR before it) and is cut to {@code maxBytes}: the rest of a
 * longer line is skipped. A line is complete at its {@code \n}; a last line without one is returned
 * only when asked ({@code takePartial}: the file is finished), else the reader stays before it and
 * reads it again once it is complete. Reading stops at the optional limit, which then ends a line
 * too. Used by one thread, the file's.
 */
final class LineReader {
  /** One line: its value, the file position after it, whether its value was cut. */
  record Line(ByteString value, long end, boolean cut) {}

  private final FileChannel channel;
  private final int maxBytes;
  private final long limit;
  private final ByteBuffer buf = ByteBuffer.allocate(1 << 16);
  private long bufEnd; // the file position of buf.limit()

  LineReader(FileChannel channel, long position, int maxBytes, long limit) {
    this.channel = channel;
    this.maxBytes = maxBytes;
    this.limit = limit;
    seek(position);
  }

  /** The file position of the next byte to read. */
  long position() {
    return bufEnd - buf.remaining();
  }

  FileChannel channel() {
    return channel;
  }

  private void seek(long position) {
    buf.clear().flip();
    bufEnd = position;
  }

  /** The next line, or null when no complete line is there (yet). */
  Line next(boolean takePartial) throws IOException {
    long start = position();
    byte[] value = null; // only for a line that spans buffers
    int kept = 0;
    boolean cut = false;
    while (true) {
      if (!buf.hasRemaining() && !fill()) {
        if (takePartial && position() > start) {
          return line(value, kept, cut, position());
        }
        seek(start);
        return null;
      }
      byte[] a = buf.array();
      int from = buf.position();
      int to = buf.limit();
      int nl = from;
      while (nl < to && a[nl] != '\n') {
        nl++;
      }
      int take = Math.min(nl - from, maxBytes - kept);
      if (take < nl - from) {
        cut = true;
      }
      if (nl < to && value == null) {
        // the whole line is in the buffer: one copy
        buf.position(nl + 1);
        int n = trimCr(a, from, take);
        return new Line(ByteString.copyFrom(a, from, n), position(), cut);
      }
      if (value == null) {
        value = new byte[Math.min(maxBytes, Math.max(take, 1024))];
      }
      if (kept + take > value.length) {
        value =
            java.util.Arrays.copyOf(
                value, Math.min(maxBytes, Math.max(kept + take, value.length * 2)));
      }
      System.arraycopy(a, from, value, kept, take);
      kept += take;
      if (nl < to) {
        buf.position(nl + 1);
        return line(value, kept, cut, position());
      }
      buf.position(to);
    }
  }

  private static Line line(byte[] value, int kept, boolean cut, long end) {
    if (value == null) {
      return new Line(ByteString.EMPTY, end, cut);
    }
    return new Line(ByteString.copyFrom(value, 0, trimCr(value, 0, kept)), end, cut);
  }

  private static int trimCr(byte[] a, int from, int n) {
    return n > 0 && a[from + n - 1] == '\r' ? n - 1 : n;
  }

  private boolean fill() throws IOException {
    long room = limit - bufEnd;
    if (room <= 0) {
      return false;
    }
    buf.clear();
    buf.limit((int) Math.min(buf.capacity(), room));
    int read = channel.read(buf, bufEnd);
    buf.flip();
    if (read <= 0) {
      buf.limit(0);
      return false;
    }
    bufEnd += read;
    return true;
  }
}
