package io.raftlog.cli.tail;

import io.raftlog.api.v1.Record;
import java.util.ArrayList;
import java.util.List;

/**
 * Consecutive events of one file, sent as one batch: the bytes {@code start .. end} of the file.
 * Only whole events: {@code end} is where the next event starts. Owned by the file's thread.
 */
final class Batch {
  /** Counted per record on top of its value: the framing of a record in a request. */
  private static final int RECORD_OVERHEAD = 8;

  final long start;
  final List<Record> records = new ArrayList<>();
  long end;
  long bytes;

  Batch(long start) {
    this.start = start;
    this.end = start;
  }

  boolean isEmpty() {
    return records.isEmpty();
  }

  /** Whether {@code e} fits in a batch of {@code max} bytes; a first event always does. */
  boolean fits(Events.Event e, int max) {
    return records.isEmpty() || bytes + e.value().size() + RECORD_OVERHEAD <= max;
  }

  void add(Events.Event e) {
    records.add(Record.newBuilder().setValue(e.value()).build());
    bytes += e.value().size() + RECORD_OVERHEAD;
    end = e.end();
  }
}
