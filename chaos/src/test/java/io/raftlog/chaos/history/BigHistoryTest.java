package io.raftlog.chaos.history;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes a valid history the size of a 30-minute chaos run at 2,000 appends a second (3.6 million
 * appends over 1,000 streams, 100-byte values, a read every 250 ms, a subscription of one stream,
 * the final reads) to the file named by {@code -Dhistory.big=FILE}, for timing {@code
 * scripts/check-history.sh} on it in 1 GiB of heap. Skipped unless that property is set: it writes
 * about 1.7 GB.
 */
class BigHistoryTest {
  private static final int STREAMS = 1000;
  private static final long APPENDS = 3_600_000;
  private static final String DOTS = ".".repeat(76);

  private static String value(int stream, long seq) {
    return String.format("chaos-%04d|%012d|", stream, seq) + DOTS;
  }

  @Test
  @EnabledIfSystemProperty(named = "history.big", matches = ".+")
  void writeThirtyMinuteHistory() throws Exception {
    Path file = Path.of(System.getProperty("history.big"));
    try (HistoryWriter w = new HistoryWriter(file)) {
      long sub = w.nextId();
      w.record(Op.subscribeInvoke(sub, "client", "chaos-0000", 0));
      long[] pending = new long[64]; // appends in flight: acknowledged 64 sends later
      for (long g = 0; g < APPENDS + pending.length; g++) {
        if (g >= pending.length) {
          long done = g - pending.length;
          int s = (int) (done % STREAMS);
          String stream = String.format("chaos-%04d", s);
          w.record(
              Op.appendOk(
                  pending[(int) (done % pending.length)], "client", stream, null, done / STREAMS));
          if (s == 0) {
            w.record(Op.delivered(sub, "client", stream, done / STREAMS, value(s, done / STREAMS)));
          }
          if (done % 500 == 0 && done / STREAMS > 0) { // a read every 250 ms at 2,000/s
            long r = w.nextId();
            long from = done / STREAMS - 1;
            w.record(Op.readInvoke(r, "node-2", stream, from, 10));
            w.record(
                Op.readOk(
                    r,
                    "node-2",
                    stream,
                    new long[] {from, from + 1},
                    List.of(value(s, from), value(s, from + 1))));
          }
        }
        if (g < APPENDS) {
          int s = (int) (g % STREAMS);
          long id = w.nextId();
          pending[(int) (g % pending.length)] = id;
          w.record(
              Op.appendInvoke(id, "client", String.format("chaos-%04d", s), value(s, g / STREAMS)));
        }
      }
      long perStream = APPENDS / STREAMS;
      for (int s = 0; s < STREAMS; s++) {
        for (long from = 0; from < perStream; from += 1000) {
          long n = Math.min(1000, perStream - from);
          long[] offsets = new long[(int) n];
          List<String> values = new ArrayList<>();
          for (int k = 0; k < n; k++) {
            offsets[k] = from + k;
            values.add(value(s, from + k));
          }
          w.record(
              Op.finalPage(w.nextId(), "node-1", String.format("chaos-%04d", s), offsets, values));
        }
      }
    }
  }
}
