package io.raftlog.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * docs/metrics.md read as the tests' list of meters: each table row's metric, its section ("Raft
 * groups" or "The node") and the tags its type column names, and the names the RPC and JVM sections
 * give in backticks. What the tests check the export against, so the two cannot diverge.
 */
final class MetricsDoc {
  static final Path FILE =
      Path.of("..").toAbsolutePath().normalize().resolve("docs").resolve("metrics.md");

  /** A metric of the tables: its Prometheus name, whether it is per group, its extra tags. */
  record Row(String name, boolean perGroup, String type, List<String> tags) {
    boolean timer() {
      return type.startsWith("timer");
    }
  }

  private static final Pattern ROW = Pattern.compile("^\\| `([a-z_]+)` \\| ([^|]+) \\|");
  private static final Pattern TAG = Pattern.compile("tag `([a-z]+)`");
  private static final Pattern NAME = Pattern.compile("`((?:grpc|jvm|process|system)_[a-z_]+)`");

  private MetricsDoc() {}

  static List<String> lines() {
    try {
      return Files.readAllLines(FILE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The rows of the two tables, in order. */
  static List<Row> rows() {
    List<Row> out = new ArrayList<>();
    String section = "";
    for (String line : lines()) {
      if (line.startsWith("## ")) {
        section = line;
      }
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        List<String> tags = new ArrayList<>();
        Matcher t = TAG.matcher(m.group(2));
        while (t.find()) {
          tags.add(t.group(1));
        }
        out.add(new Row(m.group(1), section.startsWith("## Raft groups"), m.group(2).trim(), tags));
      }
    }
    return out;
  }

  /** The names the RPC and JVM sections give (families: a name may be a prefix of series). */
  static List<String> families() {
    List<String> out = new ArrayList<>();
    for (String line : lines()) {
      Matcher m = NAME.matcher(line);
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }
}
