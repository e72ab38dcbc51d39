package io.raftlog.chaos;

import io.raftlog.logging.ConsoleLogging;
import io.raftlog.testkit.NetworkNamespaces;
import io.raftlog.testkit.SmallDisk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scripts/chaos-kill-leader.sh}: one chaos run, one summary line, exit 1 on a violation. */
@Command(
    name = "chaos-kill-leader",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a fresh cluster of --nodes nodes (real processes; 6 shards, each on three nodes),"
          + " produces numbered records round robin over --streams streams through the Java client"
          + " (idempotent) while a subscription follows the first stream (every tenth stream is"
          + " truncated now and then, every tenth keeps its last 30 records, every tenth has a"
          + " 4 KiB byte retention; named consumers read four streams, commit what they read and"
          + " restart from their committed offset), injects a fault every interval, then checks"
          + " every stream from its first offset: offsets dense, every acknowledged record at or"
          + " above it present exactly once at its offset, the producer's order kept, a"
          + " linearizable read and every"
          + " replica of its shard (LOCAL reads) identical, the subscription saw the same; then"
          + " judges the run's history (history.jsonl in the data dir, every operation; see"
          + " scripts/check-history.sh). Prints one summary line; exits 1 on any violation."
    },
    footer = {
      "",
      "Each fault picks a shard, round robin. Modes: leader (kill -9 the node that leads it,"
          + " restart it after --downtime), follower (the same to a node that follows it), pause"
          + " (SIGSTOP its leader for --downtime, then SIGCONT: every shard that node led must"
          + " elect a leader in a newer term), node (kill -9 a random node), all (kill -9 all"
          + " three at once, restart them), restart (SIGTERM a random node, start it again).",
      "Partition modes run each node in a network namespace of its own (root and ip needed) and"
          + " cut links with blackhole routes for --downtime: isolate-leader (the shard's leader"
          + " loses both peers, clients still reach it; it must step down), isolate-follower (the"
          + " same to a node that follows it), split (a random node cut from both peers and from"
          + " the clients, who sit with the majority), one-way (the leader can no longer send to"
          + " its peers, still receives), flap (the leader's links cut and healed at random every"
          + " 0.2-1 s).",
      "Full-disk modes put each node's data on a tmpfs of its own (root needed): disk fills the"
          + " disk of a node that follows the shard for --downtime, disk-leader the leader's; the"
          + " node must refuse writes, report NOT_SERVING and hand its leaderships away, and"
          + " catch up by itself once the ballast is gone.",
      "Membership modes start five nodes (--nodes): move drains the shard's leader (DrainNode,"
          + " then RemoveNode once DRAINED, then stops it) while a node joins through"
          + " cluster.join (a new one; from the second time on, a wiped one under a new id on the"
          + " drained node's addresses), and kills the shard's leader (kill -9, restart) every"
          + " other fault; replace kills the shard's leader with kill -9, removes it as dead and"
          + " starts a fresh node (new id, empty data) that joins, then waits until every shard"
          + " has three replicas again. Final reads and the replica comparison use the members"
          + " GetCluster lists at the end.",
      "mixed draws one of leader, follower, node, pause, restart and, where they can be made, the"
          + " partition and full-disk modes at random for each fault. Where namespaces or mounts"
          + " cannot be made, a mode that needs them prints why, reports skipped and exits 0.",
      "Affected streams are those of the shards the faulted node led; affected_unavailable_ms:"
          + " from the fault to the stream's next acknowledged write. unaffected_gap_ms: the"
          + " longest time without an acknowledged write of any other stream while the node was"
          + " down."
    })
public final class ChaosMain implements Callable<Integer> {
  @Option(
      names = "--mode",
      defaultValue = "leader",
      converter = ModeConverter.class,
      description =
          "leader, follower, pause, node, all, restart, isolate-leader, isolate-follower, split,"
              + " one-way, flap, disk, disk-leader, mixed, move or replace (default:"
              + " ${DEFAULT-VALUE}).")
  Mode mode;

  @Option(
      names = "--duration",
      defaultValue = "60",
      paramLabel = "SECONDS",
      description = "How long the workload runs (default: ${DEFAULT-VALUE}).")
  long durationSeconds;

  @Option(
      names = "--interval",
      defaultValue = "10",
      paramLabel = "SECONDS",
      description = "Time between faults (default: ${DEFAULT-VALUE}).")
  long intervalSeconds;

  @Option(
      names = "--downtime",
      defaultValue = "3000",
      paramLabel = "MS",
      description =
          "How long a killed node stays down or a paused one stopped (default: ${DEFAULT-VALUE};"
              + " longer than the election timeout).")
  long downtimeMs;

  @Option(
      names = "--rate",
      defaultValue = "2000",
      description = "Records per second offered (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--streams",
      defaultValue = "1000",
      description =
          "Streams written round robin, chaos-0000, chaos-0001, ... (default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(
      names = "--size",
      defaultValue = "100",
      paramLabel = "BYTES",
      description = "Bytes per record (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--nodes",
      paramLabel = "N",
      description =
          "Nodes that form the cluster, 1 to 9; each shard has three replicas (default: 5 for move"
              + " and replace, else 3).")
  Integer nodes;

  @Option(
      names = "--tls",
      description =
          "Mutual TLS on both hops: the run makes a CA of its own and certificates for each node"
              + " and for its own clients (tls/ in the data dir); the nodes run with"
              + " tls.api.mode=mtls and tls.raft.mode=mtls, and every call the tool makes shows"
              + " its client certificate.")
  boolean tls;

  @Option(
      names = "--data-dir",
      required = true,
      description = "An empty or new directory for the nodes' data, configs, logs and pids.")
  Path dataDir;

  @Option(
      names = "--server-jar",
      defaultValue = "server/target/raftlog-server.jar",
      description = "The node jar (default: ${DEFAULT-VALUE}).")
  Path serverJar;

  /**
   * Exits with the run's status, also when the run ends in an Error (an AssertionError of a bounded
   * wait), which picocli passes on: the workload's threads would otherwise keep the JVM, its nodes
   * stopped, alive until killed.
   */
  public static void main(String[] args) {
    ConsoleLogging.quiet();
    int status;
    try {
      status =
          new CommandLine(new ChaosMain()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    } catch (Error e) {
      e.printStackTrace();
      status = 2;
    }
    System.exit(status);
  }

  /** {@code --mode}: the labels of {@link Mode} ({@code isolate-leader}). */
  static final class ModeConverter implements CommandLine.ITypeConverter<Mode> {
    @Override
    public Mode convert(String value) {
      try {
        return Mode.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    Optional<String> noNetwork = NetworkNamespaces.unavailableReason();
    if (mode.needsNetwork() && noNetwork.isPresent()) {
      // CI and developers run this as root; elsewhere the run is skipped, and says why.
      System.err.printf(
          "chaos: mode %s needs network namespaces: %s; skipped%n", mode.label(), noNetwork.get());
      System.out.printf("chaos: mode=%s skipped=yes reason=%s%n", mode.label(), noNetwork.get());
      return 0;
    }
    if (mode.needsDisks() && !SmallDisk.mountPermitted()) {
      String reason = "cannot mount a tmpfs per node (needs root)";
      System.err.printf("chaos: mode %s %s; skipped%n", mode.label(), reason);
      System.out.printf("chaos: mode=%s skipped=yes reason=%s%n", mode.label(), reason);
      return 0;
    }
    ChaosReport report =
        ChaosRun.run(
            new ChaosOptions(
                mode,
                Duration.ofSeconds(durationSeconds),
                Duration.ofSeconds(intervalSeconds),
                Duration.ofMillis(downtimeMs),
                rate,
                size,
                streams,
                nodes != null ? nodes : mode.defaultNodes(),
                dataDir,
                serverJar,
                tls),
            System.err);
    report.problems().forEach(p -> System.err.println("chaos: " + p));
    System.out.println(report.line());
    System.out.println(report.breakdownLine());
    return report.ok() ? 0 : 1;
  }
}
