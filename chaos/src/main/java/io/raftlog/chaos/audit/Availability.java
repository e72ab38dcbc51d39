package io.raftlog.chaos.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Measures each fault's outage from the producer's send and acknowledgement times. Affected streams
 * (of the shards the faulted node led): from the fault to the first acknowledgement of a record
 * sent once the fault was in effect, so an answer already on its way does not count. Unaffected
 * streams: the longest stretch without an acknowledgement while the fault lasted.
 */
public final class Availability {
  private Availability() {}

  public static Outages measure(RunRecord run) {
    List<Long> unavailable = new ArrayList<>();
    List<Long> gaps = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    long unrecovered = 0;
    for (Fault f : run.faults()) {
      List<Long> affected = new ArrayList<>();
      List<Long> fGaps = new ArrayList<>();
      unrecovered += measure(run, f, affected, fGaps);
      lines.add(line(f, affected, fGaps));
      unavailable.addAll(affected);
      gaps.addAll(fGaps);
    }
    return new Outages(unavailable, unrecovered, gaps, lines);
  }

  /**
   * One fault's figures into {@code affected} and {@code gaps}; the affected streams unrecovered.
   */
  private static long measure(RunRecord run, Fault f, List<Long> affected, List<Long> gaps) {
    int n = run.streams();
    long[] first = new long[n];
    Arrays.fill(first, Long.MAX_VALUE);
    List<List<Long>> acksDuring = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      acksDuring.add(new ArrayList<>());
    }
    Sends sends = run.sends();
    for (Map.Entry<Long, Long> a : sends.ackedAt().entrySet()) {
      int i = sends.numbering().streamOf(a.getKey());
      long ackedAt = a.getValue();
      if (isAffected(run, f, i)) {
        if (sends.sentAt().get(a.getKey()) >= f.inEffect()) {
          first[i] = Math.min(first[i], ackedAt);
        }
      } else if (ackedAt >= f.start() && ackedAt <= f.end()) {
        acksDuring.get(i).add(ackedAt);
      }
    }
    long unrecovered = 0;
    for (int i = 0; i < n; i++) {
      if (!isAffected(run, f, i)) {
        gaps.add(longestGap(f, acksDuring.get(i)) / 1_000_000);
      } else if (first[i] == Long.MAX_VALUE) {
        unrecovered++;
      } else {
        affected.add((first[i] - f.start()) / 1_000_000);
      }
    }
    return unrecovered;
  }

  private static boolean isAffected(RunRecord run, Fault f, int stream) {
    return f.shards().contains(run.shardOf().get(stream));
  }

  /**
   * The longest time in nanoseconds from the fault's start to its end without one of {@code acks}.
   */
  private static long longestGap(Fault f, List<Long> acks) {
    List<Long> times = new ArrayList<>(acks);
    times.sort(null);
    long previous = f.start();
    long gap = 0;
    for (long t : times) {
      gap = Math.max(gap, t - previous);
      previous = t;
    }
    return Math.max(gap, f.end() - previous);
  }

  private static String line(Fault f, List<Long> affected, List<Long> gaps) {
    return String.format(
        "fault at node %s (shards %s): %d affected streams unavailable p50 %d ms, max %d"
            + " ms; %d unaffected streams' longest gap p50 %d ms, max %d ms",
        f.node(),
        f.shards(),
        affected.size(),
        Percentile.of(affected, 0.5),
        Percentile.of(affected, 1.0),
        gaps.size(),
        Percentile.of(gaps, 0.5),
        Percentile.of(gaps, 1.0));
  }
}
