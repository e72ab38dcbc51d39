package io.raftlog.cli.tail;

import com.google.protobuf.ByteString;
import java.util.regex.Pattern;

/**
 * Turns lines into events, the records {@code raftlog tail} sends. Without a pattern each line is
 * an event. With one ({@code --multiline}), a line the pattern finds a match in starts an event and
 * every other line is appended to the current one after a {@code \n}; the first line an instance
 * sees always starts one. An event is cut at {@code maxBytes} (its further lines are still
 * consumed). Deterministic: the same lines give the same events, so a batch read again after a
 * crash is the same batch. Used by one thread, the file's.
 */
final class Events {
  /** One record to send: its value, the file position after its last line, whether it was cut. */
  record Event(ByteString value, long end, boolean cut) {}

  private static final ByteString NEWLINE = ByteString.copyFromUtf8("\n");

  private final Pattern start;
  private final int maxBytes;
  private ByteString pending; // null: no event being grouped
  private long pendingEnd;
  private boolean pendingCut;

  Events(Pattern start, int maxBytes) {
    this.start = start;
    this.maxBytes = maxBytes;
  }

  /**
   * Adds a line; answers the event it completed (the one before it), else null. Without a pattern
   * that is the line itself.
   */
  Event add(LineReader.Line line) {
    if (start == null) {
      return new Event(line.value(), line.end(), line.cut());
    }
    Event done = null;
    if (pending != null && start.matcher(line.value().toStringUtf8()).find()) {
      done = flush();
    }
    if (pending == null) {
      pending = ByteString.EMPTY;
      pendingCut = false;
    } else {
      append(NEWLINE);
    }
    append(line.value());
    pendingCut |= line.cut();
    pendingEnd = line.end();
    return done;
  }

  /** Whether an event is being grouped, waiting for the line that starts the next one. */
  boolean holding() {
    return pending != null;
  }

  /** The event being grouped, now complete (the file went quiet, or ends); null if none. */
  Event flush() {
    if (pending == null) {
      return null;
    }
    Event e = new Event(pending, pendingEnd, pendingCut);
    pending = null;
    return e;
  }

  private void append(ByteString bytes) {
    int room = maxBytes - pending.size();
    if (bytes.size() > room) {
      pendingCut = true;
      bytes = bytes.substring(0, Math.max(room, 0));
    }
    pending = pending.concat(bytes);
  }
}
