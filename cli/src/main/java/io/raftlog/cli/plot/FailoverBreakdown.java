package io.raftlog.cli.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The failover breakdown of chaos runs, read from the chaos tool's summary lines {@code chaos:
 * failover_breakdown mode=M ... per_fault=[c/n/f/p50/max/inflight,...]}. Each fault's figures are
 * milestones in ms from the fault (a survivor stood for election, the survivors led every affected
 * shard, the first affected write went through, half the affected streams, all of them; the last is
 * when the writes in flight were answered, not drawn); -1 is a milestone not seen. A bar per fault,
 * named by its run's mode, its phases the time between one milestone and the next, so its height is
 * the slowest affected stream's outage.
 */
record FailoverBreakdown(List<String> faults, List<String> phases, double[][] millis) {
  private static final String MARK = "failover_breakdown";
  private static final Pattern MODE = Pattern.compile("\\bmode=(\\S+)");
  private static final Pattern PER_FAULT = Pattern.compile("\\bper_fault=\\[([^\\]]*)]");

  /** The phases, in the order of the milestones that end them. */
  static final List<String> PHASES =
      List.of(
          "detection (to a candidate)",
          "election (to new leaders)",
          "client (to the first write)",
          "to half the streams",
          "to the last stream");

  static FailoverBreakdown read(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  static FailoverBreakdown parse(List<String> lines) {
    List<String> faults = new ArrayList<>();
    List<double[]> rows = new ArrayList<>();
    for (String line : lines) {
      if (!line.contains(MARK)) {
        continue;
      }
      Matcher mode = MODE.matcher(line);
      String name = mode.find() ? mode.group(1) : "fault";
      Matcher perFault = PER_FAULT.matcher(line);
      if (!perFault.find() || perFault.group(1).isBlank()) {
        continue;
      }
      int n = 0;
      for (String fault : perFault.group(1).split(",")) {
        double[] row = phasesOf(fault.trim().split("/"));
        if (row != null) {
          faults.add(name + " " + ++n);
          rows.add(row);
        }
      }
    }
    return new FailoverBreakdown(List.copyOf(faults), PHASES, rows.toArray(new double[0][]));
  }

  /** The phases of one fault's milestones, or null if they are not numbers. */
  private static double[] phasesOf(String[] milestones) {
    double[] row = new double[PHASES.size()];
    double previous = 0;
    for (int p = 0; p < PHASES.size(); p++) {
      double at;
      try {
        at = p < milestones.length ? Double.parseDouble(milestones[p]) : -1;
      } catch (NumberFormatException e) {
        return null;
      }
      if (at < 0) {
        row[p] = Double.NaN; // not seen: the next milestone's phase spans both
        continue;
      }
      row[p] = Math.max(0, at - previous);
      previous = Math.max(previous, at);
    }
    return row;
  }

  boolean isEmpty() {
    return faults.isEmpty();
  }
}
