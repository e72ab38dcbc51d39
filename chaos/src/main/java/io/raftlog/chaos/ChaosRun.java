package io.raftlog.chaos;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.chaos.audit.Audit;
import io.raftlog.chaos.audit.Findings;
import io.raftlog.chaos.audit.RunRecord;
import io.raftlog.chaos.audit.StreamContent;
import io.raftlog.chaos.history.HistoryChecker;
import io.raftlog.chaos.history.HistoryFormatException;
import io.raftlog.chaos.history.HistoryWriter;
import io.raftlog.chaos.history.Verdict;
import io.raftlog.client.RaftlogClient;
import io.raftlog.testkit.ProcessCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * A chaos run: node processes serving the cluster's shards ({@link Testbed}; nodes join and leave
 * in the modes that change members, through {@link Membership}), the {@link Workload} over many
 * streams, some of them bounded by retention or truncated ({@link StreamPlan}, {@link Truncator})
 * and some read by named consumers ({@link NamedConsumers}), a fault every interval ({@link
 * FaultLoop}), then the final reads of every stream on every replica ({@link FinalReads}) and the
 * {@link Audit} of what the run recorded against what the producer was told and what a linearizable
 * read and the subscription saw. All on the caller's thread, but for the workload's and the term
 * watch's own threads.
 */
public final class ChaosRun {
  /**
   * Until three fresh nodes agree on spread leaders: on a busy two-core machine (load 40) that took
   * over 60 s, and ChaosIT's partition runs timed out there before any fault.
   */
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);

  /** A minute per operation: a full restart on a busy machine can take longer than the default. */
  private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(60);

  /** For the replicas to converge, and the subscription to catch up, once the writes stop. */
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * How often the nodes' shard leaders check retention: often, so that a short run drops records as
   * it goes, and the retention of its last writes is applied soon after they stop.
   */
  static final long RETENTION_CHECK_MS = 500;

  private final ChaosOptions o;
  private final PrintStream log;
  private final Testbed bed;
  private final ProcessCluster nodes;

  private ChaosRun(ChaosOptions options, PrintStream log, Testbed bed) {
    this.o = options;
    this.log = log;
    this.bed = bed;
    this.nodes = bed.nodes();
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
    try (Testbed bed = Testbed.create(options, log)) {
      return new ChaosRun(options, log, bed).run();
    }
  }

  private ChaosReport run() throws Exception {
    nodes.startAll();
    nodes.awaitShardLeaders(STARTUP_TIMEOUT);
    if (bed.certificates() != null) {
      TlsInForce.check(nodes, bed.certificates());
      log.printf(
          "chaos: mutual TLS in force: each node refuses plaintext and certificate-less calls on"
              + " its gRPC port and shows its node certificate on its Raft port%n");
    }
    Shards shards = Shards.of(ClusterProbe.view(nodes, nodes.ids().get(0)), o.streams());
    log.printf(
        "chaos: cluster up on %s%s%s with %d shards; %d streams; mode=%s for %d s, a fault every"
            + " %d s%n",
        String.join(",", nodes.clientAddresses()),
        nodes.network().map(n -> " (a network namespace each)").orElse(""),
        o.tls() ? ", mutual TLS on the gRPC and Raft ports" : "",
        shards.replicas().size(),
        o.streams(),
        o.mode().label(),
        o.duration().toSeconds(),
        o.interval().toSeconds());
    try (RaftlogClient client =
        bed.client(RaftlogClient.builder().servers(nodes.clientAddresses()))
            .deadline(CLIENT_DEADLINE)
            .build()) {
      return run(client, shards);
    }
  }

  private ChaosReport run(RaftlogClient client, Shards shards) throws Exception {
    Path historyFile = o.dataDir().resolve("history.jsonl");
    HistoryWriter history = new HistoryWriter(historyFile);
    Workload load = new Workload(client, nodes, history, o.rate(), o.recordBytes(), o.streams());
    StreamPlan plan = new StreamPlan(o.streams());
    int bounded = plan.createBounded(client, log);
    Truncator truncator = new Truncator(client, history, plan.truncated(), load::latestAcked);
    NamedConsumers consumers = new NamedConsumers(client, nodes, history, plan.consumed());
    log.printf(
        "chaos: %d streams with a retention, %d truncated from time to time, %d named"
            + " consumers%n",
        bounded, plan.truncated().size(), consumers.size());
    TermWatch terms = new TermWatch(nodes);
    Membership members = o.mode().changesMembers() ? new Membership(nodes, log) : null;
    FaultLoop faults = new FaultLoop(o, log, bed, shards, members);
    terms.start();
    load.start();
    truncator.start();
    consumers.start();
    faults.run();
    load.stopProducing();
    truncator.stop();
    consumers.stop();
    log.printf(
        "chaos: %d faults; %d records sent, %d acknowledged; %d truncates; checking every stream"
            + " on every replica%n",
        faults.faults().size(), load.sent(), load.acked(), truncator.done());
    // the leaders' retention checks after the last writes, before the replicas are compared
    Thread.sleep(3 * RETENTION_CHECK_MS);
    if (members != null) {
      shards = now(members);
    }
    ClusterProbe.awaitConverged(nodes, shards.replicas(), SETTLE_TIMEOUT);
    terms.stop();
    List<StreamContent> truth = FinalReads.linearizable(nodes, shards, history, o.streams());
    consumers.recordFinal(log);
    load.stopConsumingAt(truth.get(0).next(), SETTLE_TIMEOUT);
    if (load.resubscribed.get() > 0) {
      log.printf(
          "chaos: the subscription gave up and was made again %d times%n", load.resubscribed.get());
    }
    history.close();
    int spurious = terms.risesOutside(faults.electionWindows());
    Verdict verdict = checkHistory(historyFile, load);
    Findings findings =
        audit(
            shards,
            truth,
            load,
            faults,
            verdict,
            members == null ? List.of() : members.underReplicated());
    return new ChaosReport(
        o.mode(),
        o.tls(),
        faults.faults().size(),
        o.streams(),
        load.sent(),
        load.acked(),
        load.failed(),
        findings,
        faults.electionMs(),
        spurious,
        verdict);
  }

  /**
   * Where the shards live once the members have changed: the placement settled (nothing moving,
   * every shard at its replication factor on the nodes the run runs), as the catalog has it.
   */
  private Shards now(Membership members) throws InterruptedException {
    members.awaitSettled();
    GetClusterResponse view = members.view();
    log.printf(
        "chaos: the run ends on nodes %s (replicas/leaders per node %s); every replica of each"
            + " shard is read there%n",
        String.join(",", nodes.ids()), Placement.counts(view));
    return Shards.of(view, o.streams());
  }

  /** The audit of what the run recorded, once every replica has been read; prints each outage. */
  private Findings audit(
      Shards shards,
      List<StreamContent> truth,
      Workload load,
      FaultLoop faults,
      Verdict history,
      List<String> underReplicated) {
    RunRecord record =
        new RunRecord(
            shards.shardOf(),
            truth,
            FinalReads.local(nodes, shards),
            load.sends(),
            load.subscription(),
            faults.faults(),
            faults.notSteppedDown(),
            history,
            underReplicated);
    Findings findings = Audit.of(record);
    findings.outages().lines().forEach(line -> log.println("chaos: " + line));
    return findings;
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
}
