package io.raftlog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README's configuration table and the local cluster's config files say what {@link ConfigKeys}
 * declares: the same keys, defaults and meanings, so no key is documented in one place and
 * forgotten in another.
 */
class ConfigDocsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @Test
  void readmeConfigurationTableIsTheDeclaredKeys() throws IOException {
    List<String> expected = new ArrayList<>();
    for (ConfigKey<?> k : ConfigKeys.ALL) {
      expected.add("| `" + k.name() + "` | " + k.defaultText() + " | " + k.doc() + " |");
    }
    assertEquals(String.join("\n", expected), String.join("\n", readmeTableRows()));
  }

  @Test
  void clusterConfigFilesNameEveryKeyWithItsDefaultAndLoad() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(ROOT.resolve("cluster-config"))) {
      files = list.filter(f -> f.toString().endsWith(".properties")).sorted().toList();
    }
    assertEquals(3, files.size(), "the local cluster's three node files");
    TreeSet<String> declared = new TreeSet<>();
    ConfigKeys.ALL.forEach(k -> declared.add(k.name()));
    for (Path f : files) {
      Properties p = new Properties();
      try (Reader in = Files.newBufferedReader(f)) {
        p.load(in);
      }
      assertEquals(declared, new TreeSet<>(p.stringPropertyNames()), f + ": its keys");
      for (ConfigKey<?> k : ConfigKeys.ALL) {
        // cluster.peers and http.port are the local cluster's own: the three nodes that form
        // it, and the HTTP ports it serves (9201-9203).
        if (!k.isRequired() && k != ConfigKeys.CLUSTER_PEERS && k != ConfigKeys.HTTP_PORT) {
          assertEquals(k.defaultValue(), k.read(p), f + ": " + k.name() + " shows the default");
        }
      }
      assertEquals(
          p.getProperty(ConfigKeys.NODE_ID.name()),
          NodeConfig.load(f, Map.of()).get(ConfigKeys.NODE_ID),
          f + " loads");
    }
  }

  /** The rows of the table under README's "## Configuration", header and rule left out. */
  private static List<String> readmeTableRows() throws IOException {
    List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
    int heading = lines.indexOf("## Configuration");
    assertTrue(heading >= 0, "README has a '## Configuration' section");
    List<String> rows = new ArrayList<>();
    boolean inTable = false;
    for (String line : lines.subList(heading + 1, lines.size())) {
      if (line.startsWith("|")) {
        inTable = true;
        rows.add(line);
      } else if (inTable) {
        break;
      }
    }
    assertTrue(rows.size() > 2, "the configuration table has a header, a rule and rows");
    return rows.subList(2, rows.size());
  }
}
