package io.raftlog.chaos;

import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.Role;
import io.raftlog.client.RaftlogClient;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ProcessCluster;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A chaos run: three node processes, the {@link Workload}, a fault every interval, then the audit
 * of every replica against what the producer was told and what the subscription saw.
 */
public final class ChaosRun {
  /** After a fault that takes the leader away, elections within this long are its doing. */
  private static final long ELECTION_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final ChaosOptions o;
  private final PrintStream log;
  private final List<long[]> faultWindows = new ArrayList<>();
  private final List<long[]> outages = new ArrayList<>(); // {fault start, node gone}
  private boolean steppedDown = true;

  private ChaosRun(ChaosOptions options, PrintStream log) {
    this.o = options;
    this.log = log;
  }

  /** Runs {@code options}, printing progress to {@code log}; every node is stopped at the end. */
  public static ChaosReport run(ChaosOptions options, PrintStream log) throws Exception {
    if (Files.isDirectory(options.dataDir())) {
      try (Stream<?> entries = Files.list(options.dataDir())) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException(options.dataDir() + " is not empty");
        }
      }
    }
    return new ChaosRun(options, log).run();
  }

  private ChaosReport run() throws Exception {
    try (ProcessCluster nodes = new ProcessCluster(o.dataDir(), 3, o.serverJar(), Map.of())) {
      // Ctrl-C or SIGTERM still stops every node this run started.
      Thread stopNodes = new Thread(nodes::close, "chaos-stop-nodes");
      Runtime.getRuntime().addShutdownHook(stopNodes);
      try {
        return run(nodes);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(stopNodes);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running already
        }
      }
    }
  }

  private ChaosReport run(ProcessCluster nodes) throws Exception {
    {
      nodes.startAll();
      awaitLeader(nodes, Duration.ofSeconds(60));
      log.printf(
          "chaos: cluster up on %s; mode=%s for %d s, a fault every %d s%n",
          String.join(",", nodes.clientAddresses()),
          o.mode().name().toLowerCase(),
          o.duration().toSeconds(),
          o.interval().toSeconds());
      try (RaftlogClient client =
          RaftlogClient.builder().servers(nodes.clientAddresses()).build()) {
        Workload load = new Workload(client, o.rate(), o.recordBytes());
        TermWatch terms = new TermWatch(nodes);
        terms.start();
        load.start();
        int faults = injectFaults(nodes);
        load.stopProducing();
        long end = load.acked.values().stream().mapToLong(Long::longValue).max().orElse(-1) + 1;
        log.printf(
            "chaos: %d faults; %d records sent, %d acknowledged; checking the replicas%n",
            faults, load.sent(), load.acked.size());
        awaitConverged(nodes, end, Duration.ofSeconds(60));
        terms.stop();
        List<ReplicaContent> replicas = new ArrayList<>();
        for (String id : nodes.ids()) {
          replicas.add(ReplicaContent.read(nodes.blocking(id)));
        }
        load.stopConsumingAt(replicas.get(0).seqs().size(), Duration.ofSeconds(60));
        return audit(load, replicas, faults, terms.risesOutside(faultWindows));
      }
    }
  }

  private int injectFaults(ProcessCluster nodes) throws Exception {
    long start = System.nanoTime();
    long end = start + o.duration().toNanos();
    int faults = 0;
    for (long at = start + o.interval().toNanos();
        at + o.downtime().toNanos() <= end;
        at += o.interval().toNanos()) {
      sleepUntil(at);
      String leader = awaitLeader(nodes, Duration.ofSeconds(30));
      long t0 = System.nanoTime();
      switch (o.mode()) {
        case LEADER -> {
          nodes.kill9(leader);
          outages.add(new long[] {t0, System.nanoTime()});
          sleep(o.downtime());
          nodes.start(leader);
        }
        case FOLLOWER -> {
          String follower = nodes.ids().stream().filter(id -> !id.equals(leader)).findFirst().get();
          nodes.kill9(follower);
          outages.add(new long[] {t0, System.nanoTime()});
          sleep(o.downtime());
          nodes.start(follower);
        }
        case PAUSE -> {
          long termBefore = nodes.self(leader).getTerm();
          nodes.pause(leader);
          outages.add(new long[] {t0, System.nanoTime()});
          sleep(o.downtime());
          nodes.resume(leader);
          boolean down = awaitSteppedDown(nodes, leader, termBefore);
          steppedDown &= down;
          if (!down) {
            log.printf("chaos: node %s did not step down after its pause%n", leader);
          }
        }
        case ALL -> {
          nodes.kill9All();
          outages.add(new long[] {t0, System.nanoTime()});
          sleep(o.downtime());
          nodes.startAll();
        }
      }
      if (o.mode().hitsLeader()) {
        faultWindows.add(new long[] {t0, System.nanoTime() + ELECTION_WINDOW_NANOS});
      }
      faults++;
      log.printf(
          "chaos: fault %d (%s, node %s) at +%.1f s%n",
          faults,
          o.mode().name().toLowerCase(),
          o.mode() == Mode.ALL ? "all" : leader,
          (t0 - start) / 1e9);
    }
    sleepUntil(end);
    return faults;
  }

  private ChaosReport audit(
      Workload load, List<ReplicaContent> replicas, int faults, int spurious) {
    List<String> problems = new ArrayList<>();
    ReplicaContent reference = replicas.get(0);
    boolean identical = replicas.stream().allMatch(r -> r.digest().equals(reference.digest()));
    if (!identical) {
      for (int i = 0; i < replicas.size(); i++) {
        problems.add(
            "node "
                + (i + 1)
                + ": "
                + replicas.get(i).seqs().size()
                + " records, sha256 "
                + replicas.get(i).digest());
      }
    }
    boolean dense = replicas.stream().allMatch(ReplicaContent::dense);

    Map<Long, Long> offsetOf = new HashMap<>();
    long duplicated = 0;
    long reordered = 0;
    long previous = -1;
    for (int offset = 0; offset < reference.seqs().size(); offset++) {
      long seq = reference.seqs().get(offset);
      if (seq < 0) {
        problems.add("offset " + offset + " holds a record the producer did not send");
      }
      if (offsetOf.putIfAbsent(seq, (long) offset) != null) {
        duplicated++;
      }
      if (seq <= previous) {
        reordered++;
      }
      previous = Math.max(previous, seq);
    }
    long lost = 0;
    long misplaced = 0;
    for (Map.Entry<Long, Long> a : load.acked.entrySet()) {
      Long at = offsetOf.get(a.getKey());
      if (at == null) {
        lost++;
        problems.add(
            "acknowledged record " + a.getKey() + " (offset " + a.getValue() + ") is lost");
      } else if (!at.equals(a.getValue())) {
        misplaced++;
      }
    }
    boolean consumerOk = load.consumerError() == null && load.consumed.equals(reference.seqs());
    if (!consumerOk) {
      problems.add(
          "subscription: "
              + (load.consumerError() != null
                  ? load.consumerError()
                  : load.consumed.size()
                      + " records, differing from the log's "
                      + reference.seqs().size()));
    }
    // From the fault to the first acknowledgement of a record sent once the fault was in effect
    // (the node dead or stopped), so that an answer already on its way does not count.
    List<Long> unavailable = new ArrayList<>();
    for (long[] outage : outages) {
      long first = Long.MAX_VALUE;
      for (Map.Entry<Long, Long> a : load.ackedAt.entrySet()) {
        if (load.sentAt.get(a.getKey()) >= outage[1]) {
          first = Math.min(first, a.getValue());
        }
      }
      if (first != Long.MAX_VALUE) {
        unavailable.add((first - outage[0]) / 1_000_000);
      }
    }
    log.printf("chaos: unavailable after each fault (ms): %s%n", unavailable);
    load.failed.values().stream()
        .distinct()
        .limit(3)
        .forEach(f -> problems.add("a send failed: " + f));
    return new ChaosReport(
        o.mode(),
        faults,
        load.sent(),
        load.acked.size(),
        load.failed.size(),
        lost,
        duplicated,
        reordered,
        misplaced,
        dense,
        identical,
        consumerOk,
        steppedDown,
        unavailable,
        spurious,
        problems.stream().limit(20).toList());
  }

  private static String awaitLeader(ProcessCluster nodes, Duration timeout) {
    String leader = Await.poll(timeout, nodes::leader);
    if (leader == null) {
      throw new IllegalStateException("no leader within " + timeout.toSeconds() + " s");
    }
    return leader;
  }

  /** The resumed node must give up leadership: a newer term exists, led by another node. */
  private static boolean awaitSteppedDown(ProcessCluster nodes, String id, long termBefore) {
    return Await.poll(
            Duration.ofSeconds(15),
            () -> {
              NodeInfo n = nodes.self(id);
              return n != null && n.getRole() != Role.LEADER && n.getTerm() > termBefore
                  ? Boolean.TRUE
                  : null;
            })
        != null;
  }

  /** Every node up, at the same next offset, at least {@code end}. */
  private static void awaitConverged(ProcessCluster nodes, long end, Duration timeout) {
    List<List<Long>> seen = new ArrayList<>(List.of(List.of()));
    List<Long> converged =
        Await.poll(
            timeout,
            () -> {
              List<Long> next = new ArrayList<>();
              for (String id : nodes.ids()) {
                NodeInfo n = nodes.self(id);
                next.add(n == null ? -1 : n.getNextOffset());
              }
              seen.set(0, next);
              return next.stream().distinct().count() == 1 && next.get(0) >= end ? next : null;
            });
    if (converged == null) {
      throw new IllegalStateException(
          "replicas did not converge to offset " + end + " within " + timeout + ": " + seen.get(0));
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
