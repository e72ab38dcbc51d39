package io.raftlog.cli.tail;

import io.raftlog.client.RaftlogClient;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Follows one file into the stream, on its own thread: reads whole lines (events) into a batch of
 * at most {@code batchBytes}, saves the state naming that batch, sends it with the file's own
 * {@link BatchSender} and waits for the answer, then reads on. So at most one batch (plus one
 * event) of the file is in memory, and a batch that was in flight at a crash is sent again, same
 * bytes, same sequence, by the next run: at least once with no gap, and no duplicate.
 *
 * <p>At the end of the file it looks for rotations: the path naming another file (a rename: the old
 * file is read to its end, then the new one from its start) or the file shorter than what was read,
 * or starting with other bytes (a copy-truncate: what was not read yet is read from the copy if one
 * is beside it, then the file again from its start).
 *
 * <p>Its thread runs {@link #run}; {@link #stop} (any thread) makes it finish the batch it is
 * sending (within the client's deadline), save its state and end.
 */
final class FileTail implements Runnable {
  private final Path path;
  private final String name;
  private final TailOptions options;
  private final StateFile stateFile;
  private final BatchSender sender;
  private final Notices notices;
  private volatile boolean stopping;
  private volatile Throwable failure;
  private volatile long held;

  // The file's thread's alone.
  private FileIdentity.Opened file;
  private Fingerprint fingerprint = Fingerprint.NONE;
  private LineReader reader;
  private Events events;
  private boolean finishing; // the open file is no longer at the path: read it to its end
  private long position; // the end of the last acknowledged event
  private boolean unsaved; // position moved since the state was saved
  private Events.Event carry; // read, but did not fit the last batch
  private long lastLineNanos;
  private boolean cutSaid;

  FileTail(Path path, TailOptions options, RaftlogClient client, Notices notices) {
    this.path = path.toAbsolutePath().normalize();
    this.name = path.toString();
    this.options = options;
    this.stateFile = StateFile.of(this.path, options.stream(), options.stateDir());
    this.sender = new BatchSender(client, options.stream(), name, notices, () -> stopping);
    this.notices = notices;
  }

  @Override
  public String toString() {
    return name;
  }

  void stop() {
    stopping = true;
  }

  /** Why the file's thread ended early, or null. */
  Throwable failure() {
    return failure;
  }

  /** Lines (events) read and not yet acknowledged: the batch being sent, and one more. */
  long held() {
    return held;
  }

  @Override
  public void run() {
    try {
      follow();
    } catch (BatchSender.Stopped s) {
      // stopped while waiting: the state saved before the send names what was in flight
    } catch (Throwable t) {
      failure = t;
    } finally {
      closeFile();
    }
  }

  private void follow() throws IOException {
    TailState saved = stateFile.load();
    if (saved == null) {
      sender.renumber();
      if (!openPath(options.fromEnd(), "starting at its ")) {
        return;
      }
    } else {
      resume(saved);
    }
    while (!stopping) {
      if (!finishing && truncated()) {
        continue;
      }
      Batch b = readBatch();
      if (!b.isEmpty()) {
        ship(b);
      } else if (!rotated()) {
        if (unsaved) {
          saveState(-1); // idle: the last answer goes to the state too
        }
        sleep(options.poll().toMillis());
      }
    }
    if (file != null) {
      saveState(-1);
    }
  }

  /** Goes on where the saved state says, sending again the batch it names as in flight. */
  private void resume(TailState s) throws IOException {
    long readEnd = s.hasPending() ? s.pendingEnd() : s.position();
    FileIdentity.Opened found = FileIdentity.locate(path, s.fileKey(), s.fingerprint(), readEnd);
    if (found == null) {
      notices.say(
          name,
          "its state ("
              + stateFile.path()
              + ") names another file, which is gone or was rewritten: not trusted; lines after"
              + " byte "
              + s.position()
              + " of that file are lost");
      sender.renumber(); // the old sequence numbered bytes that are gone
      openPath(false, "starting at its ");
      return;
    }
    sender.resume(s.producerId(), s.sequence());
    file = found;
    fingerprint = s.fingerprint();
    finishing = !found.path().equals(path);
    position = s.position();
    notices.say(
        name,
        "going on at byte "
            + position
            + (finishing ? " of " + found.path() + " (rotated away while stopped)" : "")
            + " into stream "
            + options.stream()
            + " (state "
            + stateFile.path()
            + ")");
    if (s.hasPending()) {
      Batch again = new Batch(position);
      LineReader r = new LineReader(file.channel(), position, options.maxRecordBytes(), readEnd);
      Events e = newEvents();
      for (LineReader.Line l = r.next(true); l != null; l = r.next(true)) {
        Events.Event done = e.add(l);
        if (done != null) {
          again.add(done);
        }
      }
      Events.Event last = e.flush();
      if (last != null) {
        again.add(last);
      }
      ship(again);
    }
    reader = new LineReader(file.channel(), position, options.maxRecordBytes(), Long.MAX_VALUE);
    events = newEvents();
  }

  /**
   * Opens the file at the path (waiting for it to appear), at its start or at the end of its last
   * whole line; false if stopped first.
   */
  private boolean openPath(boolean atEnd, String how) throws IOException {
    closeFile();
    boolean said = false;
    while ((file = FileIdentity.open(path)) == null) {
      if (!said) {
        notices.say(name, "waiting for the file to appear");
        said = true;
      }
      sleep(options.poll().toMillis());
      if (stopping) {
        return false;
      }
      atEnd = false; // a file that appears later is new: all of it
    }
    position = atEnd ? LastLine.start(file.channel()) : 0;
    fingerprint = Fingerprint.NONE;
    finishing = false;
    carry = null;
    reader = new LineReader(file.channel(), position, options.maxRecordBytes(), Long.MAX_VALUE);
    events = newEvents();
    notices.say(
        name,
        how
            + (position == 0 ? "beginning" : "end (byte " + position + ")")
            + " into stream "
            + options.stream()
            + " (state "
            + stateFile.path()
            + ")");
    saveState(-1);
    return true;
  }

  /** Reads whole events from the position into a batch, as many as fit; empty if none. */
  private Batch readBatch() throws IOException {
    Batch b = new Batch(position);
    if (carry != null) {
      b.add(carry);
      carry = null;
    }
    LineReader.Line line = null;
    while (!stopping && b.bytes < options.batchBytes()) {
      line = reader.next(finishing);
      if (line == null) {
        break;
      }
      lastLineNanos = System.nanoTime();
      if (line.cut() && !cutSaid) {
        notices.say(
            name, "a line over " + options.maxRecordBytes() + " bytes was cut (once per file)");
        cutSaid = true;
      }
      if (!add(b, events.add(line))) {
        break;
      }
    }
    boolean quiet =
        System.nanoTime() - lastLineNanos >= options.multilineTimeout().toNanos() && !stopping;
    if (line == null && carry == null && events.holding() && (finishing || quiet)) {
      add(b, events.flush());
    }
    held = b.records.size() + (carry == null ? 0 : 1);
    return b;
  }

  /** Adds {@code e} (if any) to {@code b}, or keeps it for the next batch if it does not fit. */
  private boolean add(Batch b, Events.Event e) {
    if (e == null) {
      return true;
    }
    if (!b.fits(e, options.batchBytes())) {
      carry = e;
      return false;
    }
    b.add(e);
    return true;
  }

  /** Sends {@code b} until the log has it; then the position is past it. */
  private void ship(Batch b) throws IOException {
    sender.send(b, held, sent -> saveState(sent.end));
    position = b.end;
    unsaved = true;
  }

  /**
   * At the end of the file, with nothing to send: whether it was rotated, after which the next read
   * goes to the right file.
   */
  private boolean rotated() throws IOException {
    if (finishing) {
      notices.say(
          name, "finished " + file.path() + " at byte " + position + "; following the new file");
      return openPath(false, "rotated: starting at its ");
    }
    String now = FileIdentity.keyOf(path);
    if (now == null) {
      return false; // renamed or deleted, no new file yet: the writer may still write to the old
    }
    if (!now.equals(file.key())) {
      finishing = true; // renamed, a new file in its place: read the old one to its end first
      return true;
    }
    return false;
  }

  /**
   * Before each read: whether the file is now shorter than what was read, or starts with other
   * bytes (a copy-truncate, maybe already written again past the position). Checked before every
   * batch, not only at the end of the file, so new bytes at an old position are never read as the
   * old file's. What was not read yet is then read from the copy if one is beside it.
   */
  private boolean truncated() throws IOException {
    long read = reader.position();
    if (file.channel().size() >= read && fingerprint.matches(file.channel())) {
      return false;
    }
    FileIdentity.Opened copy = FileIdentity.locate(path, file.key(), fingerprint, read);
    if (copy != null && !copy.path().equals(path)) {
      notices.say(name, "truncated (copy-truncate): reading the rest from " + copy.path());
      file.channel().close();
      file = copy;
      reader = new LineReader(file.channel(), read, options.maxRecordBytes(), Long.MAX_VALUE);
    } else {
      if (copy != null) {
        copy.channel().close();
      }
      notices.say(name, "truncated, and no copy of it beside it: starting again at its beginning");
      reader = new LineReader(file.channel(), read, options.maxRecordBytes(), read);
    }
    finishing = true;
    return true;
  }

  private void saveState(long pendingEnd) throws IOException {
    long readEnd = Math.max(position, pendingEnd);
    if (fingerprint.length() < Fingerprint.MAX && readEnd > fingerprint.length()) {
      Fingerprint fp = Fingerprint.read(file.channel(), readEnd);
      fingerprint = fp == null ? fingerprint : fp;
    }
    unsaved = false;
    stateFile.save(
        new TailState(
            file.key(), fingerprint, position, sender.producerId(), sender.sequence(), pendingEnd));
  }

  private Events newEvents() {
    return new Events(options.multiline(), options.maxRecordBytes());
  }

  private void closeFile() {
    if (file != null) {
      try {
        file.channel().close();
      } catch (IOException ignored) {
        // read-only: nothing to lose
      }
    }
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      stopping = true;
    }
  }
}
