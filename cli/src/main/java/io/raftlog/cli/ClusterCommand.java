package io.raftlog.cli;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.Role;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.client.RaftlogClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code raftlog cluster}: every node, its role and how far it got; every shard and its leader. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Shows every node of the cluster, every shard with its leader, and how many shards each"
          + " node leads.",
      "",
      "One reachable node answers for all. The node table has each node's role, Raft term,"
          + " commit and applied index in the meta group (the catalog of nodes, shards and"
          + " stream settings), its state there (ACTIVE, DRAINING, DRAINED: see 'raftlog nodes')"
          + " and its health (ok, why it is unreachable, or why it does not serve). A healthy cluster has exactly one LEADER there.",
      "",
      "The shard table has the meta group and each shard (a Raft group holding many streams):"
          + " its leader, the nodes with a replica, and the Raft term, commit and applied index"
          + " of the answering node's replica (the leader's where it asked it). Then one line per"
          + " node: how many shards it leads (the nodes spread them evenly, within one), and one"
          + " per replica move in progress.",
      "",
      "HTTP is the node's HTTP address (its /metrics for Prometheus and the web console), '-'"
          + " when it runs without one (http.port=0).",
      "",
      "With --watch it shows them again every --interval, and a table of each node's traffic"
          + " since the look before: records and bytes per second produced with it as the"
          + " shard's leader and consumed from it, and its open consume streams."
    })
public final class ClusterCommand implements Callable<Integer> {
  static final String[] COLUMNS = {
    "ID", "ADDRESS", "ROLE", "TERM", "COMMIT", "APPLIED", "STATE", "HEALTH", "HTTP"
  };

  static final String[] SHARD_COLUMNS = {
    "SHARD", "LEADER", "REPLICAS", "TERM", "COMMIT", "APPLIED"
  };

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Mixin WatchOptions watch;

  private final CliContext context;

  public ClusterCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (RaftlogClient client = server.connect()) {
      GetClusterResponse[] last = {null};
      return watch.run(
          out,
          context.interactive(),
          to -> {
            GetClusterResponse cluster = client.cluster();
            print(to, cluster, System.currentTimeMillis());
            if (watch.watch) {
              to.println();
              printTable(to, NodeRates.rows(last[0], cluster));
            }
            last[0] = cluster;
          });
    }
  }

  /** The tables and lines of {@code cluster}, {@code nowMs} the time for the moves' ages. */
  static void print(PrintWriter out, GetClusterResponse cluster, long nowMs) {
    List<String[]> rows = new ArrayList<>();
    rows.add(COLUMNS);
    for (NodeInfo n : cluster.getNodesList()) {
      // Nothing is known of a node that did not answer: dashes rather than zeros.
      boolean known = n.getRole() != Role.UNREACHABLE;
      rows.add(
          new String[] {
            n.getId(),
            n.getClientAddress(),
            n.getRole().name(),
            known ? Long.toUnsignedString(n.getTerm()) : "-",
            known ? Long.toUnsignedString(n.getCommitIndex()) : "-",
            known ? Long.toUnsignedString(n.getAppliedIndex()) : "-",
            NodesCommand.state(n),
            health(n),
            n.getHttpAddress().isEmpty() ? "-" : n.getHttpAddress()
          });
    }
    printTable(out, rows);

    out.println();
    List<String[]> shards = new ArrayList<>();
    shards.add(SHARD_COLUMNS);
    if (cluster.hasMeta()) {
      shards.add(shardRow("meta", cluster.getMeta()));
    }
    Map<String, List<Integer>> led = new LinkedHashMap<>();
    for (NodeInfo n : cluster.getNodesList()) {
      led.put(n.getId(), new ArrayList<>());
    }
    for (ShardInfo s : cluster.getShardsList()) {
      shards.add(shardRow(Integer.toString(s.getId()), s));
      if (!s.getLeaderId().isEmpty()) {
        led.computeIfAbsent(s.getLeaderId(), id -> new ArrayList<>()).add(s.getId());
      }
    }
    printTable(out, shards);

    out.println();
    for (Map.Entry<String, List<Integer>> e : led.entrySet()) {
      List<Integer> ids = e.getValue();
      out.println(
          "node "
              + e.getKey()
              + " leads "
              + ids.size()
              + (ids.size() == 1 ? " shard" : " shards")
              + (ids.isEmpty()
                  ? ""
                  : ": " + ids.stream().map(String::valueOf).collect(Collectors.joining(", "))));
    }
    long leaderless =
        cluster.getShardsList().stream().filter(s -> s.getLeaderId().isEmpty()).count();
    if (leaderless > 0) {
      out.println(leaderless + (leaderless == 1 ? " shard has" : " shards have") + " no leader");
    }
    for (ShardInfo s : cluster.getShardsList()) {
      if (s.hasMove()) {
        out.println("shard " + s.getId() + " moving " + ShardsCommand.move(s.getMove(), nowMs));
      }
    }
  }

  private static String[] shardRow(String id, ShardInfo s) {
    return new String[] {
      id,
      s.getLeaderId().isEmpty() ? "-" : s.getLeaderId(),
      s.getReplicasList().isEmpty() ? "-" : String.join(",", s.getReplicasList()),
      Long.toUnsignedString(s.getTerm()),
      Long.toUnsignedString(s.getCommitIndex()),
      Long.toUnsignedString(s.getAppliedIndex())
    };
  }

  static String health(NodeInfo n) {
    String error = n.getError();
    return switch (n.getRole()) {
      case LEADER, FOLLOWER -> error.isEmpty() ? "ok" : error;
      case UNREACHABLE -> error.isEmpty() ? "unreachable" : "unreachable: " + error;
      case CANDIDATE -> error.isEmpty() ? "electing a leader" : error;
      case OTHER -> error.isEmpty() ? "not serving (starting, stopping or failed)" : error;
      default -> error.isEmpty() ? "unknown" : error;
    };
  }

  /** Left-aligned columns, two spaces apart; the last column is not padded. */
  static void printTable(PrintWriter out, List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(width[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
