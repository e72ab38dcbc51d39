package io.raftlog.cli.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The failover breakdown lines of a chaos run's output: each line holding the word {@code
 * failover_breakdown} followed by {@code key=value} pairs is one fault. Pairs whose key ends in
 * {@code _ms} and whose value is a number are the phases, in the order they first appear ({@code
 * total_ms} and other {@code total...} keys excepted: the bar's height is the sum); the value of
 * {@code fault}, {@code kind} or {@code mode} names the bar. Other text on the line is ignored.
 */
record FailoverBreakdown(List<String> faults, List<String> phases, double[][] millis) {
  private static final String MARK = "failover_breakdown";

  static FailoverBreakdown read(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  static FailoverBreakdown parse(List<String> lines) {
    List<String> faults = new ArrayList<>();
    Set<String> phases = new LinkedHashSet<>();
    List<Map<String, Double>> rows = new ArrayList<>();
    for (String line : lines) {
      int at = line.indexOf(MARK);
      if (at < 0) {
        continue;
      }
      String name = null;
      Map<String, Double> row = new LinkedHashMap<>();
      for (String token : line.substring(at + MARK.length()).trim().split("[\\s,]+")) {
        int eq = token.indexOf('=');
        if (eq <= 0) {
          continue;
        }
        String key = token.substring(0, eq);
        String value = token.substring(eq + 1);
        if (key.equals("fault") || key.equals("kind") || key.equals("mode")) {
          name = name == null ? value : name;
        } else if (key.endsWith("_ms") && !key.startsWith("total")) {
          try {
            row.put(key, Double.parseDouble(value));
            phases.add(key);
          } catch (NumberFormatException e) {
            // not a phase
          }
        }
      }
      if (!row.isEmpty()) {
        faults.add((name == null ? "fault" : name) + " " + (faults.size() + 1));
        rows.add(row);
      }
    }
    List<String> phaseList = List.copyOf(phases);
    double[][] millis = new double[rows.size()][phaseList.size()];
    for (int i = 0; i < rows.size(); i++) {
      for (int p = 0; p < phaseList.size(); p++) {
        millis[i][p] = rows.get(i).getOrDefault(phaseList.get(p), Double.NaN);
      }
    }
    return new FailoverBreakdown(List.copyOf(faults), phaseList, millis);
  }

  boolean isEmpty() {
    return faults.isEmpty();
  }
}
