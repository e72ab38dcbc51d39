package io.raftlog.chaos;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ReplicaInfo;
import io.raftlog.api.v1.Role;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.chaos.history.HistoryChecker;
import io.raftlog.chaos.history.HistoryFormatException;
import io.raftlog.chaos.history.HistoryWriter;
import io.raftlog.chaos.history.Op;
import io.raftlog.chaos.history.Verdict;
import io.raftlog.client.RaftlogClient;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.NetworkNamespaces;
import io.raftlog.testkit.NodeClients;
import io.raftlog.testkit.ProcessCluster;
import io.raftlog.testkit.SmallDisk;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A chaos run: three node processes serving the cluster's shards, the {@link Workload} over many
 * streams, a fault every interval, then the audit of every stream on every replica against what the
 * producer was told and what a linearizable read and the subscription saw.
 */
public final class ChaosRun {
  /** After a fault ends, elections and leader transfers within this long are its doing. */
  private static final long ELECTION_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(15);

  private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Until three fresh nodes agree on spread leaders: on a busy two-core machine (load 40) that took
   * over 60 s, and ChaosIT's partition runs timed out there before any fault.
   */
  /**
   * Size of each node's tmpfs in runs with full disks: room for four times the bytes the run offers
   * (records, Raft log, RocksDB's files) and 256 MiB besides, at least 512 MiB. tmpfs takes memory
   * only as it fills, but a fault's ballast fills it all, and the larger it is the longer the fill
   * takes.
   */
  private int diskMib() {
    long offered = (long) o.rate() * o.duration().toSeconds() * o.recordBytes();
    return (int) Math.max(512, 256 + (offered * 4 >> 20));
  }

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

  private final ChaosOptions o;
  private final PrintStream log;
  private final Random random = new Random();
  private final List<Fault> faults = new ArrayList<>();
  private long notSteppedDown;
  private final List<Long> electionMs = new ArrayList<>();

  /** Shard of each stream, by stream index; the replicas of each shard. */
  private int[] shardOf;

  private final Map<Integer, List<String>> replicas = new TreeMap<>();

  /**
   * One fault: {@code start} when it began, {@code inEffect} once the node was dead or stopped,
   * {@code end} when it was restarted or resumed; {@code shards} the shards its node(s) led.
   */
  private record Fault(long start, long inEffect, long end, String node, Set<Integer> shards) {}

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
    // Partition modes run each node in a network namespace of its own; mixed does when it can.
    Optional<String> noNetwork = NetworkNamespaces.unavailableReason();
    if (o.mode().needsNetwork() && noNetwork.isPresent()) {
      throw new IllegalStateException(
          "mode " + o.mode().label() + " needs network namespaces: " + noNetwork.get());
    }
    if (o.mode() == Mode.MIXED && noNetwork.isPresent()) {
      log.printf("chaos: mode mixed runs without partitions: %s%n", noNetwork.get());
    }
    boolean namespaces = noNetwork.isEmpty() && (o.mode().needsNetwork() || o.mode() == Mode.MIXED);
    // Full-disk modes put each node's data on a tmpfs of its own; mixed does when it can mount.
    boolean mountable = SmallDisk.mountPermitted();
    if (o.mode().needsDisks() && !mountable) {
      throw new IllegalStateException(
          "mode " + o.mode().label() + " needs to mount a tmpfs per node (run it as root)");
    }
    if (o.mode() == Mode.MIXED && !mountable) {
      log.printf("chaos: mode mixed runs without full disks: a tmpfs cannot be mounted here%n");
    }
    boolean disks = mountable && (o.mode().needsDisks() || o.mode() == Mode.MIXED);
    Files.createDirectories(o.dataDir());
    Map<String, SmallDisk> smallDisks = new TreeMap<>();
    try {
      if (disks) {
        for (int i = 1; i <= 3; i++) {
          String id = String.valueOf(i);
          // where ProcessCluster keeps node id's data
          Path data = o.dataDir().resolve("node-" + id).resolve("data");
          smallDisks.put(id, SmallDisk.mount(data, diskMib()));
        }
      }
      Map<String, String> settings = disks ? FillDisk.nodeSettings() : Map.of();
      try (NetworkNamespaces network =
              namespaces
                  ? NetworkNamespaces.create(3, o.dataDir().resolve(NetworkNamespaces.RECORD_FILE))
                  : null;
          ProcessCluster nodes =
              network != null
                  ? new ProcessCluster(o.dataDir(), o.serverJar(), settings, network)
                  : new ProcessCluster(o.dataDir(), 3, o.serverJar(), settings)) {
        // Ctrl-C or SIGTERM still stops every node this run started, then removes the network
        // and unmounts the disks.
        Thread stopNodes =
            new Thread(
                () -> {
                  nodes.close();
                  if (network != null) {
                    network.close();
                  }
                  unmount(smallDisks);
                },
                "chaos-stop-nodes");
        Runtime.getRuntime().addShutdownHook(stopNodes);
        try {
          return run(nodes, smallDisks);
        } finally {
          try {
            Runtime.getRuntime().removeShutdownHook(stopNodes);
          } catch (IllegalStateException shuttingDown) {
            // the hook is running already
          }
        }
      }
    } finally {
      unmount(smallDisks); // after the nodes that wrote there have stopped
    }
  }

  private void unmount(Map<String, SmallDisk> disks) {
    for (Map.Entry<String, SmallDisk> d : disks.entrySet()) {
      try {
        d.getValue().close();
      } catch (IOException e) {
        log.printf("chaos: could not unmount node %s's disk: %s%n", d.getKey(), e.getMessage());
      }
    }
  }

  private ChaosReport run(ProcessCluster nodes, Map<String, SmallDisk> disks) throws Exception {
    nodes.startAll();
    nodes.awaitShardLeaders(STARTUP_TIMEOUT);
    GetClusterResponse view = view(nodes, nodes.ids().get(0));
    for (ShardInfo s : view.getShardsList()) {
      replicas.put(s.getId(), List.copyOf(s.getReplicasList()));
    }
    shardOf = new int[o.streams()];
    for (int i = 0; i < o.streams(); i++) {
      shardOf[i] = NodeClients.shardOf(view, Workload.streamName(i));
    }
    log.printf(
        "chaos: cluster up on %s%s with %d shards; %d streams; mode=%s for %d s, a fault every %d"
            + " s%n",
        String.join(",", nodes.clientAddresses()),
        nodes.network().map(n -> " (a network namespace each)").orElse(""),
        replicas.size(),
        o.streams(),
        o.mode().label(),
        o.duration().toSeconds(),
        o.interval().toSeconds());
    // A minute per operation: a full restart on a busy machine can take longer than the default.
    try (RaftlogClient client =
        RaftlogClient.builder()
            .servers(nodes.clientAddresses())
            .deadline(Duration.ofSeconds(60))
            .build()) {
      Path historyFile = o.dataDir().resolve("history.jsonl");
      HistoryWriter history = new HistoryWriter(historyFile);
      Workload load = new Workload(client, nodes, history, o.rate(), o.recordBytes(), o.streams());
      TermWatch terms = new TermWatch(nodes);
      terms.start();
      load.start();
      injectFaults(nodes, disks);
      load.stopProducing();
      log.printf(
          "chaos: %d faults; %d records sent, %d acknowledged; checking every stream on every"
              + " replica%n",
          faults.size(), load.sent(), load.acked.size());
      awaitConverged(nodes, Duration.ofSeconds(60));
      terms.stop();
      List<ReplicaContent> truth = new ArrayList<>(o.streams());
      for (int i = 0; i < o.streams(); i++) {
        // a linearizable read of each stream, on the nodes in turn: the history's final ops
        String id = nodes.ids().get(i % nodes.ids().size());
        String stream = Workload.streamName(i);
        truth.add(
            ReplicaContent.read(
                nodes.blocking(id),
                stream,
                Consistency.LINEARIZABLE,
                page -> recordFinal(history, id, stream, page)));
      }
      load.stopConsumingAt(truth.get(0).seqs().size(), Duration.ofSeconds(60));
      if (load.resubscribed.get() > 0) {
        log.printf(
            "chaos: the subscription gave up and was made again %d times%n",
            load.resubscribed.get());
      }
      history.close();
      List<long[]> windows =
          faults.stream()
              .map(f -> new long[] {f.start(), f.end() + ELECTION_WINDOW_NANOS})
              .toList();
      return audit(
          nodes, load, truth, terms.risesOutside(windows), checkHistory(historyFile, load));
    }
  }

  /** One page of a final read as a {@code final} op; the empty last page only if it is the only. */
  private static void recordFinal(
      HistoryWriter history, String node, String stream, ConsumeResponse page) {
    if (page.getRecordsCount() == 0 && page.getNextOffset() > 0) {
      return; // the end of a stream with records: nothing to add
    }
    long[] offsets = new long[page.getRecordsCount()];
    List<String> values = new ArrayList<>(offsets.length);
    for (int k = 0; k < offsets.length; k++) {
      offsets[k] = page.getRecords(k).getOffset();
      values.add(Workload.text(page.getRecords(k).getValue()));
    }
    history.record(Op.finalPage(history.nextId(), node, stream, offsets, values));
  }

  /** Judges the run's history; null (a violation of its own) if it cannot be judged. */
  private Verdict checkHistory(Path file, Workload load) {
    try {
      Verdict v = HistoryChecker.check(file);
      log.printf(
          "chaos: %s (%d linearizable reads sent, %d failed; %s)%n",
          v.line(), load.reads.get(), load.readsFailed.get(), file);
      return v;
    } catch (IOException | HistoryFormatException e) {
      log.printf("chaos: the history %s cannot be judged: %s%n", file, e.getMessage());
      return null;
    }
  }

  /**
   * The fault loop, on the run's thread: every interval a {@link Disruption} of the mode, injected
   * for the downtime, then undone; meanwhile the time until the nodes left agree on new leaders for
   * the shards its targets led and, after, whether those targets stepped down where they must.
   */
  private void injectFaults(ProcessCluster nodes, Map<String, SmallDisk> disks) throws Exception {
    long start = System.nanoTime();
    long end = start + o.duration().toNanos();
    List<Integer> shardIds = List.copyOf(replicas.keySet());
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
      int shard = shardIds.get(faults.size() % shardIds.size());
      Disruption d =
          Disruptions.pick(
              o.mode(),
              new Situation(
                  nodes,
                  nodes.network().orElse(null),
                  disks,
                  shard,
                  replicas.get(shard),
                  leaders,
                  random));
      Map<String, Set<Integer>> ledBy = new TreeMap<>();
      for (String t : d.targets()) {
        ledBy.put(
            t,
            leaders.entrySet().stream()
                .filter(e -> e.getValue().equals(t))
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new)));
      }
      Set<Integer> led = new TreeSet<>();
      ledBy.values().forEach(led::addAll);
      Map<String, Map<Integer, Long>> termsBefore = new HashMap<>();
      if (d.mustStepDown()) {
        d.targets().forEach(t -> termsBefore.put(t, replicaTerms(nodes, t)));
      }
      long t0 = System.nanoTime();
      LocalTime wallT0 = LocalTime.now(); // to find the fault in the nodes' logs
      d.inject();
      long inEffect = System.nanoTime();
      long elected =
          d.survivors().isEmpty() || led.isEmpty()
              ? -1
              : awaitNewLeaders(nodes, d.survivors(), led, t0 + o.downtime().toNanos());
      if (elected < 0 && !d.survivors().isEmpty() && !led.isEmpty()) {
        // Why not: each node's own view of the shards, while the fault still holds.
        log.printf("chaos: no new leaders yet; %s%n", replicaViews(nodes, led));
      }
      sleepUntil(t0 + o.downtime().toNanos());
      d.undo();
      if (d.mustStepDown()) {
        for (String t : d.targets()) {
          for (int s : ledBy.get(t)) {
            long before = termsBefore.get(t).getOrDefault(s, Long.MAX_VALUE);
            if (!awaitNewerTerm(nodes, t, s, before)) {
              notSteppedDown++;
              log.printf(
                  "chaos: node %s did not step down in shard %d after %s (still in term %d)%n",
                  t, s, d.kind(), before);
            }
          }
        }
      }
      long back = System.nanoTime();
      if (elected >= 0) {
        electionMs.add((elected - t0) / 1_000_000);
      }
      String node =
          d.targets().size() == nodes.ids().size() ? "all" : String.join(",", d.targets());
      faults.add(new Fault(t0, inEffect, back, node, led));
      log.printf(
          "chaos: fault %d (%s, shard %d, node %s, which led shards %s) at +%.1f s (%s)%s%s%n",
          faults.size(),
          d.kind(),
          shard,
          node,
          led,
          (t0 - start) / 1e9,
          wallT0.truncatedTo(ChronoUnit.MILLIS),
          elected < 0
              ? d.survivors().isEmpty() || led.isEmpty() ? "" : "; no new leaders in the downtime"
              : String.format("; new leaders after %d ms", (elected - t0) / 1_000_000),
          d instanceof FlapNode f ? String.format("; links cut %d times", f.cuts()) : "");
    }
    sleepUntil(end);
  }

  private ChaosReport audit(
      ProcessCluster nodes,
      Workload load,
      List<ReplicaContent> truth,
      int spurious,
      Verdict history) {
    List<String> problems = new ArrayList<>();
    if (history == null) {
      problems.add("the history could not be judged (see above)");
    } else {
      history.first().stream().limit(10).forEach(v -> problems.add("history: " + v));
    }
    int n = o.streams();

    // Per stream, on the linearizable read: dense, one of ours, no duplicate, in producer order.
    List<Map<Long, Long>> offsetOf = new ArrayList<>(n);
    long sparse = 0;
    long foreign = 0;
    long duplicated = 0;
    long reordered = 0;
    for (int i = 0; i < n; i++) {
      String name = Workload.streamName(i);
      ReplicaContent c = truth.get(i);
      Map<Long, Long> at = new HashMap<>();
      offsetOf.add(at);
      if (!c.dense()) {
        sparse++;
        problems.add(name + ": offsets are not dense from 0");
      }
      long previous = -1;
      for (int offset = 0; offset < c.seqs().size(); offset++) {
        long seq = c.seqs().get(offset);
        if (seq < 0) {
          foreign++;
          problems.add(name + ": offset " + offset + " holds a record not sent to this stream");
          continue;
        }
        if (at.putIfAbsent(seq, (long) offset) != null) {
          duplicated++;
          problems.add(name + ": record " + seq + " appears twice");
        }
        if (seq <= previous) {
          reordered++;
        }
        previous = Math.max(previous, seq);
      }
    }
    long lost = 0;
    long misplaced = 0;
    for (Map.Entry<Long, Long> a : load.acked.entrySet()) {
      long g = a.getKey();
      int i = load.streamOf(g);
      Long at = offsetOf.get(i).get(load.seqOf(g));
      if (at == null) {
        lost++;
        problems.add(
            Workload.streamName(i)
                + ": acknowledged record "
                + load.seqOf(g)
                + " (offset "
                + a.getValue()
                + ") is lost");
      } else if (!at.equals(a.getValue())) {
        misplaced++;
        problems.add(
            Workload.streamName(i)
                + ": record "
                + load.seqOf(g)
                + " acknowledged at offset "
                + a.getValue()
                + " is at "
                + at);
      }
    }

    // Per shard: every replica holds each of its streams exactly as the linearizable read.
    long divergent = 0;
    for (String id : nodes.ids()) {
      for (int i = 0; i < n; i++) {
        if (!replicas.get(shardOf[i]).contains(id)) {
          continue;
        }
        String name = Workload.streamName(i);
        ReplicaContent local = ReplicaContent.read(nodes.blocking(id), name, Consistency.LOCAL);
        if (!local.digest().equals(truth.get(i).digest())) {
          divergent++;
          problems.add(
              String.format(
                  "%s (shard %d) on node %s: %d records, sha256 %s; a linearizable read: %d, %s",
                  name,
                  shardOf[i],
                  id,
                  local.seqs().size(),
                  local.digest(),
                  truth.get(i).seqs().size(),
                  truth.get(i).digest()));
        }
      }
    }

    boolean consumerOk = load.consumerError() == null && load.consumed.equals(truth.get(0).seqs());
    if (!consumerOk) {
      problems.add(
          "subscription of "
              + Workload.streamName(0)
              + ": "
              + (load.consumerError() != null
                  ? load.consumerError()
                  : load.consumed.size()
                      + " records, differing from the stream's "
                      + truth.get(0).seqs().size()));
    }

    // Affected streams: from the fault to the first acknowledgement of a record sent once the fault
    // was in effect (so an answer already on its way does not count). Unaffected streams: the
    // longest stretch without an acknowledgement while the node was down or stopped.
    List<Long> unavailable = new ArrayList<>();
    List<Long> gaps = new ArrayList<>();
    long unrecovered = 0;
    for (Fault f : faults) {
      long[] first = new long[n];
      java.util.Arrays.fill(first, Long.MAX_VALUE);
      List<List<Long>> acksDuring = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        acksDuring.add(new ArrayList<>());
      }
      for (Map.Entry<Long, Long> a : load.ackedAt.entrySet()) {
        long g = a.getKey();
        int i = load.streamOf(g);
        long ackedAt = a.getValue();
        if (f.shards().contains(shardOf[i])) {
          if (load.sentAt.get(g) >= f.inEffect()) {
            first[i] = Math.min(first[i], ackedAt);
          }
        } else if (ackedAt >= f.start() && ackedAt <= f.end()) {
          acksDuring.get(i).add(ackedAt);
        }
      }
      List<Long> affectedHere = new ArrayList<>();
      List<Long> gapsHere = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (f.shards().contains(shardOf[i])) {
          if (first[i] == Long.MAX_VALUE) {
            unrecovered++;
          } else {
            affectedHere.add((first[i] - f.start()) / 1_000_000);
          }
        } else {
          List<Long> times = acksDuring.get(i);
          times.sort(null);
          long previous = f.start();
          long gap = 0;
          for (long t : times) {
            gap = Math.max(gap, t - previous);
            previous = t;
          }
          gap = Math.max(gap, f.end() - previous);
          gapsHere.add(gap / 1_000_000);
        }
      }
      log.printf(
          "chaos: fault at node %s (shards %s): %d affected streams unavailable p50 %d ms, max %d"
              + " ms; %d unaffected streams' longest gap p50 %d ms, max %d ms%n",
          f.node(),
          f.shards(),
          affectedHere.size(),
          ChaosReport.percentile(affectedHere, 0.5),
          ChaosReport.percentile(affectedHere, 1.0),
          gapsHere.size(),
          ChaosReport.percentile(gapsHere, 0.5),
          ChaosReport.percentile(gapsHere, 1.0));
      unavailable.addAll(affectedHere);
      gaps.addAll(gapsHere);
    }
    load.failed.values().stream()
        .distinct()
        .limit(3)
        .forEach(f -> problems.add("a send failed: " + f));
    return new ChaosReport(
        o.mode(),
        faults.size(),
        n,
        load.sent(),
        load.acked.size(),
        load.failed.size(),
        lost,
        duplicated,
        reordered,
        misplaced,
        foreign,
        sparse,
        divergent,
        consumerOk,
        notSteppedDown,
        unavailable,
        unrecovered,
        gaps,
        electionMs,
        spurious,
        history,
        problems.stream().limit(20).toList());
  }

  private static GetClusterResponse view(ProcessCluster nodes, String id) {
    return nodes
        .blocking(id)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build());
  }

  /**
   * When, for every shard of {@code shards}, a node of {@code asked} says it leads it
   * (System.nanoTime()), or -1 if not before {@code deadline}. Those nodes could not reach the
   * faulted one, so that is a leader they elected: the server's part of the outage, before the
   * balancer spreads leaders again (which waiting for agreed, spread leaders would add).
   */
  private static long awaitNewLeaders(
      ProcessCluster nodes, List<String> asked, Set<Integer> shards, long deadline) {
    while (System.nanoTime() < deadline) {
      Set<Integer> led = new TreeSet<>();
      for (String id : asked) {
        NodeInfo self = nodes.self(id);
        if (self != null) {
          for (ReplicaInfo r : self.getReplicasList()) {
            if (r.getRole() == Role.LEADER) {
              led.add(r.getShard());
            }
          }
        }
      }
      if (led.containsAll(shards)) {
        return System.nanoTime();
      }
      sleep(Duration.ofMillis(20));
    }
    return -1;
  }

  /**
   * Each node's role and term in {@code shards} as it reports them itself, e.g. {@code node 1 [0
   * FOLLOWER t3, 5 LEADER t2]}; "no answer" for a node that does not answer.
   */
  private static String replicaViews(ProcessCluster nodes, Set<Integer> shards) {
    List<String> views = new ArrayList<>();
    for (String id : nodes.ids()) {
      NodeInfo self = nodes.self(id);
      if (self == null) {
        views.add("node " + id + " no answer");
        continue;
      }
      views.add(
          "node "
              + id
              + " "
              + self.getReplicasList().stream()
                  .filter(r -> shards.contains(r.getShard()))
                  .map(r -> r.getShard() + " " + r.getRole() + " t" + r.getTerm())
                  .toList());
    }
    return String.join(", ", views);
  }

  /** The Raft term of each of node {@code id}'s shard replicas. */
  private static Map<Integer, Long> replicaTerms(ProcessCluster nodes, String id) {
    Map<Integer, Long> terms = new HashMap<>();
    NodeInfo self = nodes.self(id);
    if (self != null) {
      for (ReplicaInfo r : self.getReplicasList()) {
        terms.put(r.getShard(), r.getTerm());
      }
    }
    return terms;
  }

  /**
   * The resumed node must have given up leading {@code shard} in its old term: its replica is in a
   * newer term (a leader in that newer term may be itself again, handed back by the balancer).
   */
  private static boolean awaitNewerTerm(
      ProcessCluster nodes, String id, int shard, long termBefore) {
    return Await.poll(
            Duration.ofSeconds(15),
            () ->
                replicaTerms(nodes, id).getOrDefault(shard, 0L) > termBefore ? Boolean.TRUE : null)
        != null;
  }

  /**
   * Every node up, and every shard's replicas at the same applied index in two polls in a row (no
   * writes come any more, so that is the end of the log).
   */
  private void awaitConverged(ProcessCluster nodes, Duration timeout) {
    List<Map<Integer, List<Long>>> last = new ArrayList<>();
    last.add(null);
    Map<Integer, List<Long>> converged =
        Await.poll(
            timeout,
            () -> {
              Map<Integer, List<Long>> applied = new TreeMap<>();
              for (String id : nodes.ids()) {
                NodeInfo self = nodes.self(id);
                if (self == null) {
                  last.set(0, null);
                  return null;
                }
                for (ReplicaInfo r : self.getReplicasList()) {
                  applied
                      .computeIfAbsent(r.getShard(), k -> new ArrayList<>())
                      .add(r.getAppliedIndex());
                }
              }
              boolean same =
                  applied.keySet().containsAll(replicas.keySet())
                      && applied.entrySet().stream()
                          .allMatch(
                              e ->
                                  e.getValue().size() == replicas.get(e.getKey()).size()
                                      && e.getValue().stream().distinct().count() == 1);
              boolean stable = same && applied.equals(last.get(0));
              last.set(0, applied);
              return stable ? applied : null;
            });
    if (converged == null) {
      throw new IllegalStateException(
          "shard replicas did not converge within " + timeout + ": applied indexes " + last.get(0));
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
