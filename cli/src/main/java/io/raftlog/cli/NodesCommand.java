package io.raftlog.cli;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.NodeState;
import io.raftlog.api.v1.RemoveNodeResponse;
import io.raftlog.client.RaftlogClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftlog nodes list|drain|remove}: the cluster's members. */
@Command(
    name = "nodes",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Lists the cluster's nodes, drains one (moves its replicas and leaderships off) and removes"
          + " it from the cluster.",
      "",
      "To take a node out: 'raftlog nodes drain N' (it follows the drain until the node is"
          + " DRAINED), stop the node, then 'raftlog nodes remove N'. A node that is gone for good"
          + " is removed with --dead: the shards it held get their replicas back on the others."
    },
    subcommands = {
      NodesCommand.ListNodes.class,
      NodesCommand.Drain.class,
      NodesCommand.Remove.class
    })
public final class NodesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /** A node's standing in the catalog; {@code -} from a node that does not report it. */
  static String state(NodeInfo n) {
    return n.getState() == NodeState.NODE_STATE_UNKNOWN || n.getState() == NodeState.UNRECOGNIZED
        ? "-"
        : n.getState().name();
  }

  /** {@code raftlog nodes list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Lists the nodes in id order: client and Raft addresses, state in the catalog (ACTIVE,"
            + " DRAINING, DRAINED), how many shard replicas the catalog places on it and how many"
            + " of those it leads, whether it votes in the meta group (voter) or follows it"
            + " (learner), and its health as in 'raftlog cluster'."
      })
  static final class ListNodes implements Callable<Integer> {
    static final String[] COLUMNS = {
      "ID", "ADDRESS", "RAFT", "STATE", "REPLICAS", "LEADERS", "META", "HEALTH"
    };

    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Override
    public Integer call() {
      GetClusterResponse cluster;
      try (RaftlogClient client = server.connect()) {
        cluster = client.cluster();
      }
      PrintWriter out = spec.commandLine().getOut();
      ClusterCommand.printTable(out, rows(cluster));
      Failures.flush(out);
      return 0;
    }

    /** The table, header first. */
    static List<String[]> rows(GetClusterResponse cluster) {
      List<String[]> rows = new ArrayList<>();
      rows.add(COLUMNS);
      for (NodeInfo n : cluster.getNodesList()) {
        boolean standing = !state(n).equals("-");
        rows.add(
            new String[] {
              n.getId(),
              n.getClientAddress(),
              n.getRaftAddress(),
              state(n),
              standing ? Integer.toString(n.getReplicaCount()) : "-",
              standing ? Integer.toString(n.getLeaderCount()) : "-",
              standing ? (n.getMetaVoter() ? "voter" : "learner") : "-",
              ClusterCommand.health(n)
            });
      }
      return rows;
    }
  }

  /** {@code raftlog nodes drain N}. */
  @Command(
      name = "drain",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Moves every shard replica and leadership off a node, one move at a time, and follows"
            + " the drain until the node is DRAINED (it then holds nothing: stop it, then 'raftlog"
            + " nodes remove N'). Clients notice nothing. The drain goes on in the cluster if this"
            + " command stops (Ctrl-C, --timeout, --no-wait): 'raftlog nodes list' shows it.",
        "",
        "Refused (exit code 4) for an unknown node, or when the other nodes could not hold"
            + " cluster.replication replicas of every shard."
      })
  static final class Drain implements Callable<Integer> {
    private final CliContext context;

    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Mixin WaitOptions waiting;

    @Parameters(index = "0", paramLabel = "N", description = "The node's id.")
    String node;

    private Duration lastSeenDraining = Duration.ZERO;

    Drain(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (RaftlogClient client = server.connect()) {
        KnownIds.node(client.cluster(), node);
        NodeInfo n = client.admin().drainNode(node);
        out.println("node " + node + " is " + state(n));
        Failures.flush(out);
        return waiting.follow(
            client::cluster,
            out,
            spec.commandLine().getErr(),
            context.interactive(),
            "the drain of node " + node,
            "raftlog nodes list",
            this::judge);
      }
    }

    /**
     * Done once the node is DRAINED (or gone); failed when, for {@link ClusterWatch#STALE_GRACE},
     * it shows neither that nor DRAINING.
     */
    ClusterWatch.Seen judge(GetClusterResponse cluster, Duration elapsed) {
      NodeInfo n = KnownIds.findNode(cluster, node).orElse(null);
      if (n == null) {
        return ClusterWatch.Seen.done("node " + node + " was removed from the cluster");
      }
      if (n.getState() == NodeState.DRAINED) {
        return ClusterWatch.Seen.done(
            "node "
                + node
                + " is DRAINED: it holds no replica and leads nothing; stop it, then: raftlog"
                + " nodes remove "
                + node);
      }
      String status = "node " + node + " " + state(n) + ": " + holding(n) + moving(cluster, node);
      if (n.getState() == NodeState.DRAINING) {
        lastSeenDraining = elapsed;
      } else if (elapsed.minus(lastSeenDraining).compareTo(ClusterWatch.STALE_GRACE) > 0) {
        return ClusterWatch.Seen.failed(status, "node " + node + " is no longer draining");
      }
      return ClusterWatch.Seen.going(status);
    }

    private static String holding(NodeInfo n) {
      return n.getReplicaCount()
          + (n.getReplicaCount() == 1 ? " replica" : " replicas")
          + ", leads "
          + n.getLeaderCount();
    }

    /** The moves off {@code node} in flight, e.g. {@code "; moving shard 2 to 4, shard 5 to 1"}. */
    static String moving(GetClusterResponse cluster, String node) {
      String moves =
          cluster.getShardsList().stream()
              .filter(s -> s.hasMove() && s.getMove().getFromNode().equals(node))
              .map(s -> "shard " + s.getId() + " to " + s.getMove().getToNode())
              .collect(Collectors.joining(", "));
      return moves.isEmpty() ? "" : "; moving " + moves;
    }
  }

  /** {@code raftlog nodes remove N [--dead]}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Takes a node out of the cluster's catalog. Refused (FAILED_PRECONDITION, exit code 4)"
            + " while it holds replicas: drain it first, or, for a node that is gone for good,"
            + " give --dead."
      })
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Parameters(index = "0", paramLabel = "N", description = "The node's id.")
    String node;

    @Option(
        names = "--dead",
        description =
            "The node is gone for good (its machine or disk is lost): remove it although it holds"
                + " replicas; each shard it held gets a new replica on the other nodes.")
    boolean dead;

    @Override
    public Integer call() {
      RemoveNodeResponse r;
      try (RaftlogClient client = server.connect()) {
        KnownIds.node(client.cluster(), node);
        r = client.admin().removeNode(node, dead);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println("removed node " + node + " from the cluster");
      if (r.getShardsToRepairCount() > 0) {
        out.println(
            "shards "
                + r.getShardsToRepairList().stream()
                    .map(String::valueOf)
                    .collect(Collectors.joining(", "))
                + " get a new replica each: raftlog shards list shows the moves");
      }
      Failures.flush(out);
      return 0;
    }
  }
}
