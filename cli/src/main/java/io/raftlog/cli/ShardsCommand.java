package io.raftlog.cli;

import io.grpc.Status;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.ReplicaMove;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftlog shards list|move|transfer-leader}: where the shards' replicas live. */
@Command(
    name = "shards",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Lists the shards (the Raft groups the streams are spread over) with their replicas, moves"
          + " a replica from one node to another and hands a shard's leadership to another of its"
          + " replicas.",
      "",
      "The cluster places and balances replicas by itself (when nodes join or drain); these"
          + " commands are for an operator who wants a given layout."
    },
    subcommands = {
      ShardsCommand.ListShards.class,
      ShardsCommand.Move.class,
      ShardsCommand.TransferLeader.class
    })
public final class ShardsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /**
   * A move in flight, e.g. {@code 2->4 (drain, 12s)}; its age by this machine's clock against the
   * meta leader's start time (none if the clocks disagree by more than the age, or for a {@code
   * nowMs} below 0: in a status that must not change by itself).
   */
  static String move(ReplicaMove m, long nowMs) {
    if (nowMs < 0) {
      return m.getFromNode()
          + "->"
          + m.getToNode()
          + (m.getReason().isEmpty() ? "" : " (" + m.getReason() + ")");
    }
    String why = m.getReason().isEmpty() ? "" : m.getReason();
    long ageMs = nowMs - m.getStartedMs();
    if (m.getStartedMs() > 0 && ageMs >= 0) {
      String age = Units.duration(Duration.ofSeconds(ageMs / 1000));
      why = why.isEmpty() ? age : why + ", " + age;
    }
    return m.getFromNode() + "->" + m.getToNode() + (why.isEmpty() ? "" : " (" + why + ")");
  }

  /** {@code raftlog shards list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Lists the meta group and every shard: its leader, the nodes with a replica, and the"
            + " replica move in progress (FROM->TO, why, for how long; '-' for none)."
      })
  static final class ListShards implements Callable<Integer> {
    static final String[] COLUMNS = {"SHARD", "LEADER", "REPLICAS", "MOVE"};

    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Override
    public Integer call() {
      GetClusterResponse cluster;
      try (RaftlogClient client = server.connect()) {
        cluster = client.cluster();
      }
      PrintWriter out = spec.commandLine().getOut();
      ClusterCommand.printTable(out, rows(cluster, System.currentTimeMillis()));
      Failures.flush(out);
      return 0;
    }

    /** The table, header first, the meta group next. */
    static List<String[]> rows(GetClusterResponse cluster, long nowMs) {
      List<String[]> rows = new ArrayList<>();
      rows.add(COLUMNS);
      if (cluster.hasMeta()) {
        rows.add(row("meta", cluster.getMeta(), nowMs));
      }
      for (ShardInfo s : cluster.getShardsList()) {
        rows.add(row(Integer.toString(s.getId()), s, nowMs));
      }
      return rows;
    }

    private static String[] row(String id, ShardInfo s, long nowMs) {
      return new String[] {
        id,
        s.getLeaderId().isEmpty() ? "-" : s.getLeaderId(),
        s.getReplicasList().isEmpty() ? "-" : String.join(",", s.getReplicasList()),
        s.hasMove() ? move(s.getMove(), nowMs) : "-"
      };
    }
  }

  /** {@code raftlog shards move SHARD --from N --to M}. */
  @Command(
      name = "move",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Moves a shard's replica from node N to node M and follows the move until M holds it and"
            + " N no longer does: M's new replica catches up before it votes, then N's leaves, so"
            + " the shard never has fewer replicas than before. The move goes on in the cluster if"
            + " this command stops (Ctrl-C, --timeout, --no-wait).",
        "",
        "Refused (exit code 4) for an unknown shard or node, while another move of the shard"
            + " runs, or when M holds the shard already or drains. Run again while the same move"
            + " runs, it follows that move."
      })
  static final class Move implements Callable<Integer> {
    private final CliContext context;

    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @Mixin WaitOptions waiting;

    @Parameters(index = "0", paramLabel = "SHARD", description = "The shard's id (from 0).")
    int shard;

    @Option(
        names = "--from",
        required = true,
        paramLabel = "N",
        description = "The node that holds the replica.")
    String from;

    @Option(
        names = "--to",
        required = true,
        paramLabel = "M",
        description = "The node that takes it.")
    String to;

    private Duration lastSeenMoving = Duration.ZERO;

    Move(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (from.equals(to)) {
        throw new ParameterException(
            spec.commandLine(), "--from and --to are both node " + from + ": nothing to move");
      }
      PrintWriter out = spec.commandLine().getOut();
      try (RaftlogClient client = server.connect()) {
        GetClusterResponse cluster = client.cluster();
        KnownIds.shard(cluster, shard);
        KnownIds.node(cluster, from);
        KnownIds.node(cluster, to);
        start(client, out);
        Failures.flush(out);
        return waiting.follow(
            client::cluster,
            out,
            spec.commandLine().getErr(),
            context.interactive(),
            "the move of shard " + shard,
            "raftlog shards list",
            this::judge);
      }
    }

    /**
     * Asks for the move. A refusal because this very move runs already (a run of this command that
     * Ctrl-C stopped, or a retry after a lost answer) is not one: the command follows that move.
     */
    private void start(RaftlogClient client, PrintWriter out) {
      try {
        ReplicaMove m = client.admin().moveReplica(shard, from, to);
        out.println("moving shard " + shard + ": " + move(m, -1));
      } catch (RaftlogException e) {
        if (e.code() != Status.Code.FAILED_PRECONDITION) {
          throw e;
        }
        ShardInfo s = KnownIds.shard(client.cluster(), shard);
        if (!isThisMove(s)) {
          throw e;
        }
        out.println("shard " + shard + " is moving already: " + move(s.getMove(), -1));
      }
    }

    private boolean isThisMove(ShardInfo s) {
      return s.hasMove()
          && s.getMove().getFromNode().equals(from)
          && s.getMove().getToNode().equals(to);
    }

    /**
     * Done once {@code to} holds the shard, {@code from} does not and no move of it runs; abandoned
     * when, for {@link ClusterWatch#STALE_GRACE}, no move of this shard from {@code from} to {@code
     * to} shows and it is not done (a node that answers from an older catalog may not show it for a
     * moment).
     */
    ClusterWatch.Seen judge(GetClusterResponse cluster, Duration elapsed) {
      ShardInfo s = KnownIds.shard(cluster, shard);
      List<String> replicas = s.getReplicasList();
      String status =
          "shard "
              + shard
              + ": replicas "
              + (replicas.isEmpty() ? "-" : String.join(",", replicas))
              + (s.hasMove() ? "; moving " + move(s.getMove(), -1) : "");
      boolean ours = isThisMove(s);
      if (ours) {
        lastSeenMoving = elapsed;
      }
      if (!s.hasMove() && replicas.contains(to) && !replicas.contains(from)) {
        return ClusterWatch.Seen.done(
            "shard " + shard + " moved from node " + from + " to node " + to + ": " + status);
      }
      if (!ours && elapsed.minus(lastSeenMoving).compareTo(ClusterWatch.STALE_GRACE) > 0) {
        return ClusterWatch.Seen.failed(
            status,
            "the move of shard "
                + shard
                + " from node "
                + from
                + " to node "
                + to
                + " is no longer in progress and did not complete: the meta leader's log says why");
      }
      return ClusterWatch.Seen.going(status);
    }
  }

  /** {@code raftlog shards transfer-leader SHARD|--meta --to N}. */
  @Command(
      name = "transfer-leader",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Hands a shard's leadership (or, with --meta, the meta group's) to its replica on node N,"
            + " and answers once N leads it. The nodes balance leaderships by themselves and may"
            + " move it again later.",
        "",
        "Refused (exit code 4) for an unknown shard or node, or a node with no replica of the"
            + " group."
      })
  static final class TransferLeader implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ServerOptions server;

    @ArgGroup(multiplicity = "1")
    Group group;

    /** Exactly one of a shard and {@code --meta}. */
    static final class Group {
      @Parameters(index = "0", paramLabel = "SHARD", description = "The shard's id (from 0).")
      Integer shard;

      @Option(names = "--meta", description = "The meta group's leadership instead of a shard's.")
      boolean meta;
    }

    @Option(
        names = "--to",
        required = true,
        paramLabel = "N",
        description = "The node that takes the leadership.")
    String to;

    @Override
    public Integer call() {
      String leader;
      try (RaftlogClient client = server.connect()) {
        GetClusterResponse cluster = client.cluster();
        if (!group.meta) {
          KnownIds.shard(cluster, group.shard);
        }
        KnownIds.node(cluster, to);
        leader =
            group.meta
                ? client.admin().transferMetaLeader(to)
                : client.admin().transferLeader(group.shard, to);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          (group.meta ? "the meta group's" : "shard " + group.shard + "'s")
              + " leader is now node "
              + leader);
      Failures.flush(out);
      return 0;
    }
  }
}
