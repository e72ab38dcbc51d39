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
 * The rows of the results file {@code scripts/bench.sh --out DIR} writes ({@code DIR/results.tsv}):
 * tab-separated {@code system workload metric value}, one row per figure per run, a header line
 * starting with {@code system}. Lines starting with {@code #} and blank lines are skipped.
 * Immutable once read.
 */
final class Results {
  private final Map<String, List<Double>> values = new LinkedHashMap<>();
  private final Set<String> systems = new LinkedHashSet<>();
  private final Set<String> workloads = new LinkedHashSet<>();

  static Results read(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  /**
   * The rows of {@code lines}.
   *
   * @throws IllegalArgumentException naming the first line that is not four fields with a number
   *     last
   */
  static Results parse(List<String> lines) {
    Results r = new Results();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#") || line.startsWith("system\t")) {
        continue;
      }
      String[] f = line.split("\t");
      double v;
      try {
        v = f.length == 4 ? Double.parseDouble(f[3]) : Double.NaN;
      } catch (NumberFormatException e) {
        v = Double.NaN;
      }
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException(
            "line " + (i + 1) + ": not 'system<TAB>workload<TAB>metric<TAB>number': " + line);
      }
      r.systems.add(f[0]);
      r.workloads.add(f[1]);
      r.values.computeIfAbsent(key(f[0], f[1], f[2]), k -> new ArrayList<>()).add(v);
    }
    return r;
  }

  /** The systems, in the order they first appear. */
  List<String> systems() {
    return List.copyOf(systems);
  }

  /** The workloads starting with {@code prefix}, in the order they first appear. */
  List<String> workloads(String prefix) {
    return workloads.stream().filter(w -> w.startsWith(prefix)).toList();
  }

  /** The median of the runs' values of a figure (the lower middle one of an even count), or NaN. */
  double median(String system, String workload, String metric) {
    List<Double> v = values.get(key(system, workload, metric));
    if (v == null || v.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = v.stream().sorted().toList();
    return sorted.get((sorted.size() - 1) / 2);
  }

  /** How many runs a figure has. */
  int runs(String system, String workload, String metric) {
    List<Double> v = values.get(key(system, workload, metric));
    return v == null ? 0 : v.size();
  }

  private static String key(String system, String workload, String metric) {
    return system + '\t' + workload + '\t' + metric;
  }
}
