package io.raftlog.chaos.audit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Measures each fault's outage from the producer's send and acknowledgement times. Affected streams
 * (of the shards the faulted node led): from the fault to the first acknowledgement of a record
 * sent once the fault was in effect, so an answer already on its way does not count. Unaffected
 * streams: the longest time a stream waited for an acknowledgement while the fault lasted, from a
 * send (or the previous acknowledgement, if that came later) to its answer: the producer writes
 * round robin over many streams, so a stream that never stalls can still go half a second between
 * two sends, and the time between acknowledgements would measure the workload, not the cluster.
 * Then where each fault's time went ({@link Failover}).
 */
public final class Availability {
  private static final long MS = 1_000_000;

  private Availability() {}

  public static Outages measure(RunRecord run) {
    List<Long> unavailable = new ArrayList<>();
    List<Long> gaps = new ArrayList<>();
    List<Failover> breakdown = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    long unrecovered = 0;
    for (Fault f : run.faults()) {
      List<Long> affected = new ArrayList<>();
      List<Long> fGaps = new ArrayList<>();
      long[] firstAndInFlight = new long[2];
      unrecovered += measure(run, f, affected, fGaps, firstAndInFlight);
      Failover b = breakdown(f, affected, firstAndInFlight);
      lines.add(line(f, affected, fGaps, b));
      unavailable.addAll(affected);
      gaps.addAll(fGaps);
      breakdown.add(b);
    }
    return new Outages(unavailable, unrecovered, gaps, breakdown, lines);
  }

  /**
   * One fault's figures into {@code affected} and {@code gaps}, and into {@code firstAndInFlight}
   * the first acknowledgement of an affected record sent once the fault held and the last of one
   * sent before it (System.nanoTime(), -1 for none); returns the affected streams unrecovered.
   */
  private static long measure(
      RunRecord run, Fault f, List<Long> affected, List<Long> gaps, long[] firstAndInFlight) {
    int n = run.streams();
    long[] first = new long[n];
    Arrays.fill(first, Long.MAX_VALUE);
    long inFlightAcked = -1;
    List<List<long[]>> sendsOf = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      sendsOf.add(new ArrayList<>());
    }
    Sends sends = run.sends();
    for (Map.Entry<Long, Long> s : sends.sentAt().entrySet()) {
      int i = sends.numbering().streamOf(s.getKey());
      long sentAt = s.getValue();
      Long ackedAt = sends.ackedAt().get(s.getKey());
      if (isAffected(run, f, i)) {
        if (ackedAt == null) {
          continue;
        }
        if (sentAt >= f.inEffect()) {
          first[i] = Math.min(first[i], ackedAt);
        } else if (ackedAt >= f.start()) {
          inFlightAcked = Math.max(inFlightAcked, ackedAt);
        }
      } else if (sentAt <= f.end() && (ackedAt == null || ackedAt >= f.start())) {
        sendsOf.get(i).add(new long[] {sentAt, ackedAt == null ? Long.MAX_VALUE : ackedAt});
      }
    }
    long unrecovered = 0;
    long firstAny = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      if (!isAffected(run, f, i)) {
        gaps.add(longestWait(f, sendsOf.get(i)) / MS);
      } else if (first[i] == Long.MAX_VALUE) {
        unrecovered++;
      } else {
        affected.add((first[i] - f.start()) / MS);
        firstAny = Math.min(firstAny, first[i]);
      }
    }
    firstAndInFlight[0] = firstAny == Long.MAX_VALUE ? -1 : firstAny;
    firstAndInFlight[1] = inFlightAcked;
    return unrecovered;
  }

  private static boolean isAffected(RunRecord run, Fault f, int stream) {
    return f.shards().contains(run.shardOf().get(stream));
  }

  /**
   * The longest time in nanoseconds within the fault that one of {@code sends} ({sent, acked},
   * acked {@code Long.MAX_VALUE} if never) waited for its answer, counted from its send or from the
   * answer before it, whichever came later: a stream's answers come in its send order, so while one
   * waits the stream has no answer at all.
   */
  private static long longestWait(Fault f, List<long[]> sends) {
    List<long[]> inOrder = new ArrayList<>(sends);
    inOrder.sort((a, b) -> Long.compare(a[0], b[0]));
    long previousAck = Long.MIN_VALUE;
    long longest = 0;
    for (long[] s : inOrder) {
      long from = Math.max(f.start(), Math.max(s[0], previousAck));
      long to = Math.min(f.end(), s[1]);
      longest = Math.max(longest, to - from);
      previousAck = Math.max(previousAck, s[1]);
    }
    return longest;
  }

  private static Failover breakdown(Fault f, List<Long> affected, long[] firstAndInFlight) {
    return new Failover(
        sinceStart(f, f.election().candidate()),
        sinceStart(f, f.election().elected()),
        sinceStart(f, firstAndInFlight[0]),
        affected.isEmpty() ? -1 : Percentile.of(affected, 0.5),
        affected.isEmpty() ? -1 : Percentile.of(affected, 1.0),
        sinceStart(f, firstAndInFlight[1]));
  }

  /** Milliseconds from the fault's start to {@code nanoTime}, or -1 if that is -1. */
  private static long sinceStart(Fault f, long nanoTime) {
    return nanoTime < 0 ? -1 : (nanoTime - f.start()) / MS;
  }

  private static String line(Fault f, List<Long> affected, List<Long> gaps, Failover b) {
    return String.format(
        "fault at node %s (shards %s): %d affected streams unavailable p50 %d ms, max %d"
            + " ms; %d unaffected streams' longest wait p50 %d ms, max %d ms; candidate after %d"
            + " ms, new leaders after %d ms, first write through after %d ms, writes in flight"
            + " answered after %d ms",
        f.node(),
        f.shards(),
        affected.size(),
        Percentile.of(affected, 0.5),
        Percentile.of(affected, 1.0),
        gaps.size(),
        Percentile.of(gaps, 0.5),
        Percentile.of(gaps, 1.0),
        b.candidateMs(),
        b.electedMs(),
        b.firstAckMs(),
        b.inFlightAckedMs());
  }
}
