package io.raftlog.cli;

import io.raftlog.cli.plot.Charts;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code raftlog bench plot}: SVG charts of a {@code scripts/bench.sh --out DIR} run. */
@Command(
    name = "plot",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Draws SVG charts from the results file of scripts/bench.sh --out DIR.",
      "",
      "Reads DIR/results.tsv (tab-separated: system, workload, metric, value; one row per figure"
          + " per run; medians are plotted) and writes into --out: throughput.svg (records/s per"
          + " workload, raftlog vs Kafka), latency.svg (the fixed-rate run's percentiles),"
          + " write-amplification.svg, idle-cpu.svg and shard-p50.svg (against the shard count),"
          + " scaling.svg (throughput over streams in N shards) and, given --failover, failover.svg"
          + " (the chaos tool's failover_breakdown lines as stacked bars). A chart whose figures"
          + " are missing is skipped, with a line saying so. Needs no cluster."
    })
public final class BenchPlotCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--results",
      paramLabel = "FILE",
      required = true,
      description = "The results file (results.tsv).")
  Path results;

  @Option(
      names = "--failover",
      paramLabel = "FILE",
      description = "A chaos run's output holding failover_breakdown lines (optional).")
  Path failover;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      required = true,
      description = "Where to write the SVG files (created if missing).")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(results)) {
      throw new ParameterException(spec.commandLine(), "no such file: " + results);
    }
    PrintWriter w = spec.commandLine().getOut();
    for (String line : Charts.write(results, failover, out)) {
      w.println(line);
    }
    w.flush();
    return 0;
  }
}
