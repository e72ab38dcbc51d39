package io.raftlog.deploy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What some {@code /metrics} pages (Prometheus's text format) hold: each sample name with the label
 * names and values its series carry, and the families their {@code # TYPE} lines declare (a
 * histogram's family {@code x} has samples {@code x_bucket}, {@code x_count}, {@code x_sum}).
 */
final class Scrape {
  private final Map<String, Map<String, Set<String>>> labelsBySample = new HashMap<>();
  private final Set<String> families = new TreeSet<>();

  private static final Pattern TYPE = Pattern.compile("#\\s*TYPE\\s+(\\S+)\\s+\\S+.*");
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*})?\\s+\\S+.*");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** Adds one page. */
  void add(String page) {
    for (String line : page.split("\n")) {
      line = line.trim();
      Matcher t = TYPE.matcher(line);
      if (t.matches()) {
        families.add(t.group(1));
        continue;
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher s = SAMPLE.matcher(line);
      if (!s.matches()) {
        throw new AssertionError("not a sample line of the text format: " + line);
      }
      Map<String, Set<String>> values =
          labelsBySample.computeIfAbsent(s.group(1), k -> new HashMap<>());
      labels(s.group(2) == null ? "" : s.group(2))
          .forEach((k, v) -> values.computeIfAbsent(k, x -> new TreeSet<>()).add(v));
    }
  }

  /** Whether {@code name} is a sample name or a family name of the pages. */
  boolean has(String name) {
    return labelsBySample.containsKey(name) || families.contains(name);
  }

  /** The label names of the samples named {@code name} (empty if there are none). */
  Set<String> labelNames(String name) {
    return labelsBySample.getOrDefault(name, Map.of()).keySet();
  }

  /** The values label {@code label} takes in the samples named {@code name}. */
  Set<String> labelValues(String name, String label) {
    return labelsBySample.getOrDefault(name, Map.of()).getOrDefault(label, Set.of());
  }

  /** The labels of a selector or sample, {@code name{a="1",b="2"}}: a to 1, b to 2. */
  static Map<String, String> labels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    int open = text.indexOf('{');
    if (open < 0) {
      return labels;
    }
    Matcher m = LABEL.matcher(text.substring(open, text.lastIndexOf('}') + 1));
    while (m.find()) {
      labels.put(m.group(1), m.group(2));
    }
    return labels;
  }
}
