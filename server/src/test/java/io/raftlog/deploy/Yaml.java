package io.raftlog.deploy;

import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Rendered Kubernetes objects as SnakeYAML reads them (maps, lists, strings, numbers), and paths
 * into them. Safe loading only: plain data, no Java types from the document.
 */
final class Yaml {
  private final org.yaml.snakeyaml.Yaml yaml =
      new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions()));

  /** Every document of a multi-document stream ({@code ---} between them). */
  Iterable<Object> loadAll(String text) {
    return yaml.loadAll(text);
  }

  /** The value at {@code path} under {@code node}, or null where a step is missing. */
  static Object at(Object node, String... path) {
    Object here = node;
    for (String step : path) {
      if (!(here instanceof Map<?, ?> m)) {
        return null;
      }
      here = m.get(step);
    }
    return here;
  }

  @SuppressWarnings("unchecked") // SnakeYAML's safe loader makes maps with string keys here
  static Map<String, Object> map(Object node) {
    if (!(node instanceof Map<?, ?> m)) {
      throw new AssertionError("expected a mapping, found: " + node);
    }
    return (Map<String, Object>) m;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node, String... path) {
    Object v = at(node, path);
    if (!(v instanceof List<?> l)) {
      throw new AssertionError("expected a list at " + String.join(".", path) + ", found: " + v);
    }
    return (List<Object>) l;
  }

  static String str(Object node, String... path) {
    Object v = at(node, path);
    return v == null ? null : v.toString();
  }

  static int integer(Object node, String... path) {
    Object v = at(node, path);
    if (!(v instanceof Integer n)) {
      throw new AssertionError("expected a number at " + String.join(".", path) + ", found: " + v);
    }
    return n;
  }
}
