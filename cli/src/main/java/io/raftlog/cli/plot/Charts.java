package io.raftlog.cli.plot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which charts the bench's results make, and their files. {@link #write} draws each chart whose
 * figures are in the results (or the failover file) and says which it skipped and why; it runs on
 * the caller's thread.
 *
 * <p>The workloads and metrics it reads are those {@code scripts/bench.sh} writes: {@code produce
 * 1KB}, {@code consume 100B}, {@code many ...} ({@code rec_s}; Kafka's consumer also {@code
 * fetch_rec_s}), {@code rate ...} ({@code p50_ms p95_ms p99_ms p999_ms max_ms}), {@code shards N}
 * ({@code idle_cpu_pct}, {@code p50_ms}), {@code scaling N} ({@code rec_s}), and {@code write_amp}
 * of any produce run; and {@code scripts/retention-disk.sh}'s {@code disk SECONDS} ({@code du_mb}
 * of each node and their total).
 */
public final class Charts {
  private static final List<String> PERCENTILES =
      List.of("p50_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms");

  private Charts() {}

  /**
   * Writes the charts into {@code outDir}.
   *
   * @param failover a chaos run's output with failover_breakdown lines, or null
   * @return one line per chart: the file written, or why it was skipped
   */
  public static List<String> write(Path results, Path failover, Path outDir) throws IOException {
    Results r = Results.read(results);
    Files.createDirectories(outDir);
    List<String> report = new ArrayList<>();
    save(outDir, "throughput.svg", throughput(r), report, "no produce or consume runs");
    save(outDir, "latency.svg", latency(r), report, "no fixed-rate run");
    save(outDir, "write-amplification.svg", writeAmp(r), report, "no write amplification");
    save(
        outDir,
        "idle-cpu.svg",
        sweep(
            r,
            "shards ",
            "idle_cpu_pct",
            "Idle CPU per node (median) against shards",
            "% of a core"),
        report,
        "no shard sweep");
    save(
        outDir,
        "shard-p50.svg",
        sweep(r, "shards ", "p50_ms", "p50 latency at a fixed load against shards", "ms"),
        report,
        "no shard sweep");
    save(
        outDir,
        "scaling.svg",
        sweep(r, "scaling ", "rec_s", "Throughput over streams in N shards", "records/s"),
        report,
        "no scaling run");
    save(
        outDir,
        "disk.svg",
        sweep(
            r,
            "disk ",
            "du_mb",
            "Data directories (du -sb) while a stream with byte retention is fed",
            "MB"),
        report,
        "no disk samples (scripts/retention-disk.sh)");
    String failoverSvg = null;
    String why = "no failover file given";
    if (failover != null && !Files.isRegularFile(failover)) {
      why = "no failover file " + failover;
    } else if (failover != null) {
      FailoverBreakdown b = FailoverBreakdown.read(failover);
      why = "no failover_breakdown lines in " + failover;
      if (!b.isEmpty()) {
        failoverSvg =
            StackedBarChart.draw(
                "Failover: where the time goes, per fault",
                "ms",
                b.faults(),
                b.phases(),
                b.millis());
      }
    }
    save(outDir, "failover.svg", failoverSvg, report, why);
    return report;
  }

  static String throughput(Results r) {
    List<String> categories = new ArrayList<>(r.workloads("produce "));
    categories.addAll(r.workloads("consume "));
    categories.addAll(r.workloads("many "));
    List<String> series = new ArrayList<>(r.systems());
    boolean fetch = categories.stream().anyMatch(w -> r.runs("kafka", w, "fetch_rec_s") > 0);
    if (fetch) {
      series.add("kafka fetch phase");
    }
    if (categories.isEmpty()) {
      return null;
    }
    double[][] v = new double[categories.size()][series.size()];
    for (int c = 0; c < categories.size(); c++) {
      for (int s = 0; s < series.size(); s++) {
        String sys = series.get(s);
        v[c][s] =
            sys.equals("kafka fetch phase")
                ? r.median("kafka", categories.get(c), "fetch_rec_s")
                : r.median(sys, categories.get(c), "rec_s");
      }
    }
    return BarChart.draw(
        "Throughput per workload (median of runs)", "records/s", categories, series, v);
  }

  static String latency(Results r) {
    List<String> rate = r.workloads("rate ");
    if (rate.isEmpty()) {
      return null;
    }
    String w = rate.get(0);
    List<String> series = r.systems();
    List<String> categories = PERCENTILES.stream().map(Charts::percentileName).toList();
    double[][] v = new double[PERCENTILES.size()][series.size()];
    for (int c = 0; c < PERCENTILES.size(); c++) {
      for (int s = 0; s < series.size(); s++) {
        v[c][s] = r.median(series.get(s), w, PERCENTILES.get(c));
      }
    }
    return BarChart.draw("Latency, " + w, "ms", categories, series, v);
  }

  static String writeAmp(Results r) {
    List<String> categories =
        r.workloads("produce ").stream()
            .filter(w -> !Double.isNaN(r.median("raftlog", w, "write_amp")))
            .toList();
    if (categories.isEmpty()) {
      return null;
    }
    double[][] v = new double[categories.size()][1];
    for (int c = 0; c < categories.size(); c++) {
      v[c][0] = r.median("raftlog", categories.get(c), "write_amp");
    }
    return BarChart.draw(
        "Write amplification per node (median)",
        "bytes written per payload byte",
        categories,
        List.of("raftlog"),
        v);
  }

  /** A line of {@code metric} against N over the workloads {@code prefix + N}, per system. */
  static String sweep(Results r, String prefix, String metric, String title, String unit) {
    List<String> workloads =
        r.workloads(prefix).stream()
            .filter(w -> w.substring(prefix.length()).matches("[0-9]+"))
            .sorted((a, b) -> Integer.compare(count(a, prefix), count(b, prefix)))
            .toList();
    List<String> series =
        r.systems().stream()
            .filter(s -> workloads.stream().anyMatch(w -> r.runs(s, w, metric) > 0))
            .toList();
    if (series.isEmpty()) {
      return null;
    }
    double[] xs = workloads.stream().mapToDouble(w -> count(w, prefix)).toArray();
    double[][] v = new double[series.size()][xs.length];
    for (int s = 0; s < series.size(); s++) {
      for (int i = 0; i < xs.length; i++) {
        v[s][i] = r.median(series.get(s), workloads.get(i), metric);
      }
    }
    return LineChart.draw(title, unit, prefix.trim(), xs, series, v);
  }

  private static int count(String workload, String prefix) {
    return Integer.parseInt(workload.substring(prefix.length()));
  }

  private static String percentileName(String metric) {
    String p = metric.substring(0, metric.length() - "_ms".length());
    return p.equals("p999") ? "p99.9" : p;
  }

  private static void save(Path dir, String name, String svg, List<String> report, String why)
      throws IOException {
    if (svg == null) {
      report.add(String.format(Locale.ROOT, "skipped %s: %s", name, why));
      return;
    }
    Path file = dir.resolve(name);
    Files.writeString(file, svg, StandardCharsets.UTF_8);
    report.add("wrote " + file);
  }
}
