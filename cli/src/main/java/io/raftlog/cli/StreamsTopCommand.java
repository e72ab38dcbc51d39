package io.raftlog.cli;

import io.raftlog.api.v1.StreamActivity;
import io.raftlog.api.v1.TopStreamsOrder;
import io.raftlog.api.v1.TopStreamsResponse;
import io.raftlog.client.RaftlogClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code raftlog streams top [--limit N] [--by bytes|records] [--watch]}: the busiest streams. */
@Command(
    name = "top",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Shows the busiest streams now: records and bytes per second appended to each and read"
          + " from it over the nodes' last 10 s window, summed over the nodes, busiest first.",
      "",
      "Metrics carry no per-stream labels (a million streams would make a million series);"
          + " this is how a hot stream is found. Each node counts the busiest few thousand"
          + " streams of its own, so a quiet stream may be missing. Nodes that did not answer are"
          + " named below the table (their traffic is missing from the sums)."
    })
final class StreamsTopCommand implements Callable<Integer> {
  static final String[] COLUMNS = {
    "STREAM", "SHARD", "APPENDED-REC/S", "APPENDED-B/S", "READ-REC/S", "READ-B/S"
  };

  /** What "busiest" means. */
  enum By {
    bytes,
    records
  }

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Mixin WatchOptions watch;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "10",
      description = "How many streams, 1 to 1000 (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--by",
      paramLabel = "bytes|records",
      defaultValue = "bytes",
      description =
          "Busiest by bytes or by records, appended plus read per second (default:"
              + " ${DEFAULT-VALUE}).")
  By by;

  private final CliContext context;

  StreamsTopCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (limit < 1 || limit > 1000) {
      throw new ParameterException(spec.commandLine(), "--limit must be 1 to 1000, got " + limit);
    }
    TopStreamsOrder order =
        by == By.records
            ? TopStreamsOrder.TOP_STREAMS_ORDER_RECORDS
            : TopStreamsOrder.TOP_STREAMS_ORDER_BYTES;
    PrintWriter out = spec.commandLine().getOut();
    try (RaftlogClient client = server.connect()) {
      return watch.run(
          out, context.interactive(), to -> print(to, client.topStreams(limit, order)));
    }
  }

  /** The table, or the line saying there is nothing in it, then the nodes that did not answer. */
  static void print(PrintWriter out, TopStreamsResponse top) {
    if (top.getStreamsCount() == 0) {
      out.println("no traffic in the last " + top.getWindowMs() / 1000 + " s");
    } else {
      List<String[]> rows = new ArrayList<>();
      rows.add(COLUMNS);
      for (StreamActivity s : top.getStreamsList()) {
        rows.add(
            new String[] {
              s.getStream(),
              Integer.toUnsignedString(s.getShard()),
              NodeRates.perSec(s.getRecordsAppendedPerSec(), 1),
              NodeRates.bytesPerSec(s.getBytesAppendedPerSec()),
              NodeRates.perSec(s.getRecordsReadPerSec(), 1),
              NodeRates.bytesPerSec(s.getBytesReadPerSec())
            });
      }
      ClusterCommand.printTable(out, rows);
    }
    if (top.getUnreachableNodesCount() > 0) {
      out.println(
          "not answering (their traffic is missing): node "
              + String.join(", ", top.getUnreachableNodesList()));
    }
  }
}
