package io.raftlog.chaos.history;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a valid history shaped like a chaos run's, at any size: appends round-robin over the
 * streams with 64 in flight (each acknowledged 64 sends later), 100-byte values, a two-record read
 * every 500 acknowledgements, a subscription of the first stream delivering every record, and the
 * final reads in pages of 1,000 records. One violation can be seeded in the middle: an append
 * invoked at the start and acknowledged halfway at an offset whose record is another's, so that its
 * value is nowhere in the final log (one {@link Violation.Kind#LOST}, and nothing else).
 */
final class SyntheticHistory {
  private static final String DOTS = ".".repeat(76);
  private static final int IN_FLIGHT = 64;

  private final int streams;
  private final long appends;

  /** {@code appends} spread evenly over {@code streams}: a multiple of it. */
  SyntheticHistory(int streams, long appends) {
    if (appends % streams != 0) {
      throw new IllegalArgumentException(appends + " appends do not spread over " + streams);
    }
    this.streams = streams;
    this.appends = appends;
  }

  /**
   * Writes the history to {@code file}; with {@code seedLoss}, the lost append too.
   *
   * @return the lost append's op id, or -1 without one
   */
  long write(Path file, boolean seedLoss) throws IOException {
    long lost = -1;
    long half = appends / 2;
    try (HistoryWriter w = new HistoryWriter(file)) {
      long sub = w.nextId();
      w.record(Op.subscribeInvoke(sub, "client", name(0), 0));
      if (seedLoss) {
        lost = w.nextId();
        w.record(Op.appendInvoke(lost, "client", name((int) (half % streams)), "lost|" + lost));
      }
      long[] pending = new long[IN_FLIGHT];
      for (long g = 0; g < appends + IN_FLIGHT; g++) {
        if (g >= IN_FLIGHT) {
          long done = g - IN_FLIGHT;
          int s = (int) (done % streams);
          long offset = done / streams;
          if (done == half && lost >= 0) {
            w.record(Op.appendOk(lost, "client", name(s), null, offset));
          }
          w.record(Op.appendOk(pending[(int) (done % IN_FLIGHT)], "client", name(s), null, offset));
          if (s == 0) {
            w.record(Op.delivered(sub, "client", name(s), offset, value(s, offset)));
          }
          if (done % 500 == 0 && offset > 0) {
            read(w, s, offset - 1);
          }
        }
        if (g < appends) {
          int s = (int) (g % streams);
          long id = w.nextId();
          pending[(int) (g % IN_FLIGHT)] = id;
          w.record(Op.appendInvoke(id, "client", name(s), value(s, g / streams)));
        }
      }
      for (int s = 0; s < streams; s++) {
        finalRead(w, s);
      }
    }
    return lost;
  }

  /** The lines {@link #write} writes: what the verdict counts as ops. */
  long ops(boolean seedLoss) {
    long perStream = appends / streams;
    long reads = 0;
    for (long done = 0; done < appends; done += 500) {
      reads += done / streams > 0 ? 1 : 0;
    }
    long finals = streams * ((perStream + 999) / 1000);
    return 1 + 2 * appends + perStream + 2 * reads + finals + (seedLoss ? 2 : 0);
  }

  private void read(HistoryWriter w, int s, long from) {
    long r = w.nextId();
    w.record(Op.readInvoke(r, "node-2", name(s), from, 10));
    w.record(
        Op.readOk(
            r,
            "node-2",
            name(s),
            new long[] {from, from + 1},
            List.of(value(s, from), value(s, from + 1))));
  }

  private void finalRead(HistoryWriter w, int s) {
    long perStream = appends / streams;
    for (long from = 0; from < perStream; from += 1000) {
      int n = (int) Math.min(1000, perStream - from);
      long[] offsets = new long[n];
      List<String> values = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        offsets[k] = from + k;
        values.add(value(s, from + k));
      }
      w.record(Op.finalPage(w.nextId(), "node-1", name(s), offsets, values));
    }
  }

  private static String name(int stream) {
    return "chaos-" + padded(stream, 4);
  }

  /**
   * {@code chaos-0007|000000000042|....}: 100 bytes (String.format would triple the write time).
   */
  private static String value(int stream, long seq) {
    return name(stream) + "|" + padded(seq, 12) + "|" + DOTS;
  }

  private static String padded(long n, int width) {
    String digits = Long.toString(n);
    return "0".repeat(Math.max(0, width - digits.length())) + digits;
  }
}
