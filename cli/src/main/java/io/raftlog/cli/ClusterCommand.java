package io.raftlog.cli;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.Role;
import io.raftlog.client.RaftlogClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code raftlog cluster}: every node, its role and how far it got. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Shows every node of the cluster, its role and its progress.",
      "",
      "One reachable node answers for all: each node's role, Raft term, commit and applied"
          + " index, the offset its next record will get, and its health (ok, why it is"
          + " unreachable, or why it does not serve). A healthy cluster has exactly one LEADER."
    })
public final class ClusterCommand implements Callable<Integer> {
  static final String[] COLUMNS = {
    "ID", "ADDRESS", "ROLE", "TERM", "COMMIT", "APPLIED", "NEXT OFFSET", "HEALTH"
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
            known ? Long.toUnsignedString(n.getNextOffset()) : "-",
            health(n)
          });
    }
    printTable(out, rows);
    Failures.flush(out);
    return 0;
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
