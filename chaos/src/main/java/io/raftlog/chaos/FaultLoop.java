package io.raftlog.chaos;

import io.raftlog.chaos.audit.Fault;
import io.raftlog.testkit.ProcessCluster;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The fault loop, on the run's thread: every interval a {@link Disruption} of the mode, injected
 * for the downtime, then undone; meanwhile the time until the nodes left agree on new leaders for
 * the shards its targets led and, after, whether those targets stepped down where they must. It
 * prints a line per fault and keeps what the audit needs: the faults, the election times, the
 * step-downs missed.
 */
final class FaultLoop {
  /** After a fault ends, elections and leader transfers within this long are its doing. */
  private static final long ELECTION_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(15);

  /** Until every node is back and agrees on spread leaders, before each fault. */
  private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(60);

  private final ChaosOptions o;
  private final PrintStream log;
  private final Testbed bed;
  private final ProcessCluster nodes;
  private final Shards shards;
  private final Membership members; // null unless the mode changes members
  private final Random random = new Random();
  private final List<Fault> faults = new ArrayList<>();
  private final List<Long> electionMs = new ArrayList<>();
  private long notSteppedDown;

  /**
   * @param shards each shard's replicas as the run began
   * @param members the membership calls, where the mode changes members (else null): then each
   *     fault reads where the shards live now
   */
  FaultLoop(ChaosOptions options, PrintStream log, Testbed bed, Shards shards, Membership members) {
    this.o = options;
    this.log = log;
    this.bed = bed;
    this.nodes = bed.nodes();
    this.shards = shards;
    this.members = members;
  }

  /** Injects faults from one interval after now until the run's duration is over. */
  void run() throws Exception {
    long start = System.nanoTime();
    long end = start + o.duration().toNanos();
    for (long at = start + o.interval().toNanos();
        at + o.downtime().toNanos() <= end;
        at = Math.max(at + o.interval().toNanos(), System.nanoTime())) {
      sleepUntil(at);
      // Every node back, agreeing on each shard's leader, leaders spread again (a restarted node
      // takes a while to boot and to get shards handed back).
      Map<Integer, String> leaders = nodes.awaitShardLeaders(LEADERS_TIMEOUT);
      if (!faults.isEmpty() && System.nanoTime() + o.downtime().toNanos() > end) {
        break; // no time left for this one (the first fault always comes)
      }
      inject(leaders, start);
    }
    sleepUntil(end);
  }

  /** One fault on the next shard, round robin; {@code start} when the loop began. */
  private void inject(Map<Integer, String> leaders, long start) throws Exception {
    List<Integer> shardIds = List.copyOf(shards.replicas().keySet());
    int shard = shardIds.get(faults.size() % shardIds.size());
    Disruption d = pick(shard, leaders);
    Map<String, Set<Integer>> ledBy = ledBy(d.targets(), leaders);
    Set<Integer> led = new TreeSet<>();
    ledBy.values().forEach(led::addAll);
    Map<String, Map<Integer, Long>> termsBefore = new HashMap<>();
    if (d.mustStepDown()) {
      d.targets().forEach(t -> termsBefore.put(t, ClusterProbe.replicaTerms(nodes, t)));
    }
    Map<Integer, Long> survivorTerms = survivorTerms(d, led);
    long t0 = System.nanoTime();
    LocalTime wallT0 = LocalTime.now(); // to find the fault in the nodes' logs
    d.inject();
    long inEffect = System.nanoTime();
    boolean measured = !d.survivors().isEmpty() && !led.isEmpty();
    Fault.Election election =
        measured ? awaitNewLeaders(d, led, survivorTerms, t0) : Fault.Election.NONE;
    long elected = election.elected();
    sleepUntil(t0 + o.downtime().toNanos());
    d.undo();
    if (d.mustStepDown()) {
      checkSteppedDown(d, ledBy, termsBefore);
    }
    long back = System.nanoTime();
    if (elected >= 0) {
      electionMs.add((elected - t0) / 1_000_000);
    }
    String node = d.targets().size() == nodes.ids().size() ? "all" : String.join(",", d.targets());
    faults.add(new Fault(t0, inEffect, back, node, led, election));
    String outcome =
        elected < 0
            ? measured ? "; no new leaders in the downtime" : ""
            : String.format(
                "; a candidate after %d ms, new leaders after %d ms",
                (election.candidate() - t0) / 1_000_000, (elected - t0) / 1_000_000);
    log.printf(
        "chaos: fault %d (%s, shard %d, node %s, which led shards %s) at +%.1f s (%s)%s%s%n",
        faults.size(),
        d.kind(),
        shard,
        node,
        led,
        (t0 - start) / 1e9,
        wallT0.truncatedTo(ChronoUnit.MILLIS),
        outcome,
        d instanceof FlapNode f ? String.format("; links cut %d times", f.cuts()) : "");
  }

  /** The mode's disruption for {@code shard}, as things stand. */
  private Disruption pick(int shard, Map<Integer, String> leaders) throws InterruptedException {
    Map<Integer, List<String>> replicas = members == null ? shards.replicas() : members.replicas();
    return Disruptions.pick(
        o.mode(),
        new Situation(
            nodes,
            bed.network(),
            bed.disks(),
            shard,
            replicas.get(shard),
            leaders,
            random,
            faults.size(),
            members));
  }

  /**
   * When a survivor of {@code d} first stood for one of {@code led} and when the survivors led them
   * all (System.nanoTime(), -1 if not within the downtime from {@code t0}); if they did not, each
   * node's own view of those shards is printed, while the fault still holds, to say why.
   */
  private Fault.Election awaitNewLeaders(
      Disruption d, Set<Integer> led, Map<Integer, Long> termsBefore, long t0)
      throws InterruptedException {
    Fault.Election e =
        ClusterProbe.awaitNewLeaders(
            nodes, d.survivors(), led, termsBefore, t0 + o.downtime().toNanos());
    if (e.elected() < 0) {
      log.printf("chaos: no new leaders yet; %s%n", ClusterProbe.replicaViews(nodes, led));
    }
    return e;
  }

  /** Per shard of {@code led}, the newest term a survivor of {@code d} is in before the fault. */
  private Map<Integer, Long> survivorTerms(Disruption d, Set<Integer> led) {
    Map<Integer, Long> terms = new HashMap<>();
    if (led.isEmpty()) {
      return terms;
    }
    for (String s : d.survivors()) {
      ClusterProbe.replicaTerms(nodes, s)
          .forEach((shard, term) -> terms.merge(shard, term, Math::max));
    }
    return terms;
  }

  /** The shards each of {@code targets} led. */
  private static Map<String, Set<Integer>> ledBy(
      List<String> targets, Map<Integer, String> leaders) {
    Map<String, Set<Integer>> ledBy = new TreeMap<>();
    for (String t : targets) {
      ledBy.put(
          t,
          leaders.entrySet().stream()
              .filter(e -> e.getValue().equals(t))
              .map(Map.Entry::getKey)
              .collect(Collectors.toCollection(TreeSet::new)));
    }
    return ledBy;
  }

  /** Each target in a newer term in every shard it led; a line and a count for each that is not. */
  private void checkSteppedDown(
      Disruption d, Map<String, Set<Integer>> ledBy, Map<String, Map<Integer, Long>> termsBefore) {
    for (String t : d.targets()) {
      for (int s : ledBy.get(t)) {
        long before = termsBefore.get(t).getOrDefault(s, Long.MAX_VALUE);
        if (!ClusterProbe.awaitNewerTerm(nodes, t, s, before)) {
          notSteppedDown++;
          log.printf(
              "chaos: node %s did not step down in shard %d after %s (still in term %d)%n",
              t, s, d.kind(), before);
        }
      }
    }
  }

  List<Fault> faults() {
    return List.copyOf(faults);
  }

  /** From each fault to new leaders for every shard its node(s) led, where that was measured. */
  List<Long> electionMs() {
    return List.copyOf(electionMs);
  }

  long notSteppedDown() {
    return notSteppedDown;
  }

  /**
   * Each fault's window, from its start to {@link #ELECTION_WINDOW_NANOS} after its end: elections
   * within one are its doing.
   */
  List<long[]> electionWindows() {
    return faults.stream()
        .map(f -> new long[] {f.start(), f.end() + ELECTION_WINDOW_NANOS})
        .toList();
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }
}
