package io.raftlog.deploy;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftlog.testkit.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The monitoring files of deploy/monitoring/ as the tests read them: the alert rules and the
 * Grafana dashboard's PromQL expressions, the metric names those expressions use, and the
 * Prometheus tools (Debian's {@code prometheus} package) the tests run.
 */
final class Monitoring {
  static final Path DIR = Dockerfile.ROOT.resolve("deploy/monitoring");
  static final Path PROMETHEUS_YML = DIR.resolve("prometheus.yml");
  static final Path ALERTS = DIR.resolve("alerts.yml");
  static final Path ALERTS_TEST = DIR.resolve("alerts_test.yml");
  static final Path DASHBOARD = DIR.resolve("grafana/raftlog-dashboard.json");

  private Monitoring() {}

  /**
   * Whether {@code tool} (promtool, prometheus) runs. Where it does not, the test is skipped with a
   * message saying how to get it; under {@code CI=true} it fails instead, since CI installs it
   * (scripts/install-test-tools.sh).
   */
  static void requireTool(String tool) {
    boolean found;
    try {
      found = Commands.run(Duration.ofSeconds(20), List.of(tool, "--version")).ok();
    } catch (IOException e) {
      found = false;
    }
    if (found) {
      return;
    }
    String message =
        tool
            + " is not on PATH: install Debian's prometheus package (scripts/install-test-tools.sh"
            + " does) to run this test";
    if ("true".equals(System.getenv("CI"))) {
      fail(message + " (CI=true: CI must have it)");
    }
    assumeTrue(false, message);
  }

  /** Each alerting rule's name and expression, in the file's order. */
  static Map<String, String> alertExpressions() throws IOException {
    Map<String, String> byName = new LinkedHashMap<>();
    Object doc = new Yaml().loadAll(Files.readString(ALERTS)).iterator().next();
    for (Object group : Yaml.list(doc, "groups")) {
      for (Object rule : Yaml.list(group, "rules")) {
        byName.put(Yaml.str(rule, "alert"), Yaml.str(rule, "expr"));
      }
    }
    return byName;
  }

  /** The series of alerts_test.yml's input, as PromQL selectors. */
  static List<String> testSeries() throws IOException {
    List<String> series = new ArrayList<>();
    Object doc = new Yaml().loadAll(Files.readString(ALERTS_TEST)).iterator().next();
    for (Object test : Yaml.list(doc, "tests")) {
      for (Object s : Yaml.list(test, "input_series")) {
        series.add(Yaml.str(s, "series"));
      }
    }
    return series;
  }

  /**
   * Every PromQL expression of the dashboard: its panels' queries and its variables' ({@code
   * label_values(metric, label)}).
   */
  static List<String> dashboardExpressions() throws IOException {
    // JSON is YAML: SnakeYAML reads the dashboard as it reads the manifests.
    Object doc = new Yaml().loadAll(Files.readString(DASHBOARD)).iterator().next();
    List<String> found = new ArrayList<>();
    collect(doc, found);
    return found;
  }

  private static void collect(Object node, List<String> found) {
    if (node instanceof Map<?, ?> m) {
      m.forEach(
          (k, v) -> {
            if (("expr".equals(k) || "definition".equals(k)) && v instanceof String s) {
              found.add(s);
            } else {
              collect(v, found);
            }
          });
    } else if (node instanceof List<?> l) {
      l.forEach(v -> collect(v, found));
    }
  }

  /**
   * A dashboard expression with Grafana's variables replaced by values Prometheus accepts: the job,
   * every node and group, a rate window.
   */
  static String withVariables(String expr, String job) {
    return expr.replace("$__rate_interval", "1m")
        .replace("$job", job)
        .replace("$node", ".*")
        .replace("$group", ".*");
  }

  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "offset",
          "inf",
          "nan",
          "atan2");

  // Grafana's variables ($job, ${datasource}), strings, label matchers in braces, range and
  // subquery windows, and the label lists of by/without/on/ignoring/group_*: no metric names.
  private static final Pattern NOT_NAMES =
      Pattern.compile(
          "\\$\\{?\\w+}?|\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|\\{[^}]*}|\\[[^]]*]"
              + "|\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

  // An identifier not preceded by a word character or dot (so not the "m" of "5m" or "e3" of
  // "1e3") and, unless a function, not followed by "(".
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)[^,)]*(?:,[^)]*)?\\)");

  /** The metric names {@code expr} (PromQL, or Grafana's label_values) reads. */
  static Set<String> metricNames(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher lv = LABEL_VALUES.matcher(expr);
    if (lv.matches()) {
      names.add(lv.group(1));
      return names;
    }
    Matcher m = IDENTIFIER.matcher(NOT_NAMES.matcher(expr).replaceAll(" "));
    while (m.find()) {
      String word = m.group(1);
      boolean call = m.group(2) != null;
      if (!call && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
        names.add(word);
      }
    }
    return names;
  }
}
