package io.raftlog.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;

/**
 * The timeline of every record of a {@code bench produce} run, for a trace of its slowest ones:
 * when each was due, sent and acknowledged. The producing thread calls {@link #sent}, the client's
 * callback threads {@link #acked}; {@link #write} runs once the run has flushed.
 *
 * <p>The producer does not say which batch a record rode in; the trace names its <em>ack group</em>
 * instead: the records of its shard acknowledged together (one after the other, each within {@link
 * #GROUP_GAP_NANOS} of the previous), which is the batch, or the batches acknowledged at once, that
 * carried it.
 */
final class SlowRecords {
  static final long GROUP_GAP_NANOS = 50_000;

  private final long startNanos;
  private final long startEpochMillis;
  private final long[] due;
  private final long[] sent;
  private final AtomicLongArray acked;

  SlowRecords(int records, long startNanos, long startEpochMillis) {
    this.startNanos = startNanos;
    this.startEpochMillis = startEpochMillis;
    due = new long[records];
    sent = new long[records];
    acked = new AtomicLongArray(records);
  }

  void sent(int record, long dueNanos, long sentNanos) {
    due[record] = dueNanos;
    sent[record] = sentNanos;
  }

  void acked(int record, long nanos) {
    acked.set(record, nanos);
  }

  /**
   * Writes the {@code count} slowest acknowledged records, slowest first, as tab-separated lines
   * under a header: times in ms from the run's start, the stream, shard and its leader (as
   * GetCluster said before the run), and the record's ack group.
   */
  void write(Path file, int count, String[] names, ShardLayout layout) throws IOException {
    int n = due.length;
    int[] shard = new int[n];
    for (int i = 0; i < n; i++) {
      shard[i] = layout.shardOf(names[i % names.length]);
    }
    int[] byAck =
        IntStream.range(0, n)
            .filter(i -> acked.get(i) != 0)
            .boxed()
            .sorted(Comparator.<Integer>comparingInt(i -> shard[i]).thenComparingLong(acked::get))
            .mapToInt(Integer::intValue)
            .toArray();
    int[] group = new int[n];
    int[] groupSize = new int[byAck.length + 1];
    long[] groupFirstSent = new long[byAck.length + 1];
    long[] groupLastSent = new long[byAck.length + 1];
    int g = -1;
    for (int k = 0; k < byAck.length; k++) {
      int i = byAck[k];
      int prev = k == 0 ? -1 : byAck[k - 1];
      if (prev < 0 || shard[prev] != shard[i] || acked.get(i) - acked.get(prev) > GROUP_GAP_NANOS) {
        g++;
        groupFirstSent[g] = Long.MAX_VALUE;
        groupLastSent[g] = Long.MIN_VALUE;
      }
      group[i] = g;
      groupSize[g]++;
      groupFirstSent[g] = Math.min(groupFirstSent[g], sent[i]);
      groupLastSent[g] = Math.max(groupLastSent[g], sent[i]);
    }
    int[] slowest =
        Arrays.stream(byAck)
            .boxed()
            .sorted(Comparator.comparingLong((Integer i) -> acked.get(i) - due[i]).reversed())
            .limit(count)
            .mapToInt(Integer::intValue)
            .toArray();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
      w.printf(
          Locale.ROOT,
          "# the %d slowest of %d records; times in ms from the run's start at %d ms since the"
              + " epoch; latency runs from when the record was due; ack_group: the records of its"
              + " shard acknowledged together%n",
          slowest.length,
          byAck.length,
          startEpochMillis);
      w.println(
          "rank\trecord\tstream\tshard\tleader\tdue_ms\tsent_ms\tacked_ms\tlatency_ms"
              + "\tack_group\tgroup_records\tgroup_first_sent_ms\tgroup_last_sent_ms");
      for (int r = 0; r < slowest.length; r++) {
        int i = slowest[r];
        w.printf(
            Locale.ROOT,
            "%d\t%d\t%s\t%d\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%d\t%.3f\t%.3f%n",
            r + 1,
            i,
            names[i % names.length],
            shard[i],
            layout.leaderOf(shard[i]),
            ms(due[i]),
            ms(sent[i]),
            ms(acked.get(i)),
            (acked.get(i) - due[i]) / 1e6,
            group[i],
            groupSize[group[i]],
            ms(groupFirstSent[group[i]]),
            ms(groupLastSent[group[i]]));
      }
    }
  }

  private double ms(long nanos) {
    return (nanos - startNanos) / 1e6;
  }
}
