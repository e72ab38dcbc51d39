package io.raftlog.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Who is in a test cluster and where: node ids {@code 1..size}, each with a free loopback Raft port
 * and client port, and the properties each node starts from, in the format of a node's config file
 * ({@code cluster-config/}). In-process and process clusters both start nodes from these
 * properties, so a setting means the same in both.
 */
public final class ClusterLayout {
  private final Map<String, String> clientAddresses = new LinkedHashMap<>();
  private final String peers;
  private final Map<String, String> settings;

  /**
   * @param size the number of nodes
   * @param settings keys and values every node gets besides its id, data dir and peers (e.g. {@code
   *     raft.snapshot-entries=200}); the node checks them when it starts
   */
  public ClusterLayout(int size, Map<String, String> settings) {
    List<String> specs = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      String id = String.valueOf(i);
      String client = FreePorts.loopbackAddress();
      clientAddresses.put(id, client);
      specs.add(id + "@" + FreePorts.loopbackAddress() + "@" + client);
    }
    this.peers = String.join(",", specs);
    this.settings = Map.copyOf(settings);
  }

  public List<String> ids() {
    return List.copyOf(clientAddresses.keySet());
  }

  public String clientAddress(String id) {
    String a = clientAddresses.get(id);
    if (a == null) {
      throw new IllegalArgumentException("no node " + id + " in this cluster: " + ids());
    }
    return a;
  }

  public List<String> clientAddresses() {
    return List.copyOf(clientAddresses.values());
  }

  /** Node {@code id}'s config, keeping its data in {@code dataDir}. */
  public Properties properties(String id, Path dataDir) {
    Properties p = new Properties();
    p.setProperty("node.id", id);
    p.setProperty("data.dir", dataDir.toString());
    p.setProperty("cluster.peers", peers);
    p.putAll(settings);
    return p;
  }

  /** Writes node {@code id}'s config file, as a user would write one. */
  public void writeProperties(String id, Path dataDir, Path file) {
    try (Writer w = Files.newBufferedWriter(file)) {
      properties(id, dataDir).store(w, "raftlog node " + id + " (written by the test kit)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
