package io.raftlog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configs the local-cluster scripts write (scripts/cluster-lib.sh's write_node_config, from
 * cluster-config/node-1.properties) load as the node reads them: a node of a cluster formed by N
 * (start-cluster.sh --nodes N) is in cluster.peers on its own ports with every other node, and a
 * node that add-node.sh starts joins through cluster.join with its own addresses and no peers.
 */
class LocalClusterConfigsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path dataDir;

  @Test
  void eachNodeOfAFormedClusterIsInThePeersOnItsOwnPorts() throws Exception {
    for (int n : new int[] {1, 2, 3, 5, 9}) {
      for (int i = 1; i <= n; i++) {
        NodeConfig c = write(i, "form " + n);
        assertTrue(c.forms(), n + " nodes, node " + i + ": forms the cluster");
        assertEquals(String.valueOf(i), c.get(ConfigKeys.NODE_ID));
        assertEquals(n, c.get(ConfigKeys.CLUSTER_PEERS).size(), n + " nodes: its peers");
        assertEquals(
            new Peer("" + i, "127.0.0.1:" + (8100 + i), "127.0.0.1:" + (9000 + i)), c.self());
        assertEquals(Math.min(3, n), c.effectiveReplication(), n + " nodes: replicas per shard");
        assertEquals(Math.min(3, n), c.get(ConfigKeys.CLUSTER_REPLICATION), "written as such");
        assertEquals(dataDir.resolve("node-" + i), c.get(ConfigKeys.DATA_DIR));
      }
    }
  }

  @Test
  void anAddedNodeJoinsThroughTheRunningNodesWithNoPeers() throws Exception {
    NodeConfig c = write(6, "join 127.0.0.1:9001,127.0.0.1:9002");
    assertFalse(c.forms(), "a node that joins");
    assertEquals(List.of(), c.get(ConfigKeys.CLUSTER_PEERS));
    assertEquals(List.of("127.0.0.1:9001", "127.0.0.1:9002"), c.get(ConfigKeys.CLUSTER_JOIN));
    assertEquals(new Peer("6", "127.0.0.1:8106", "127.0.0.1:9006"), c.self());
  }

  @Test
  void theTemplatesSettingsReachEveryNode() throws Exception {
    Path template = dataDir.resolve("template");
    Files.createDirectories(template);
    String text =
        Files.readString(ROOT.resolve("cluster-config/node-1.properties"))
            .replace("raft.election-timeout-ms=600", "raft.election-timeout-ms=900");
    Files.writeString(template.resolve("node-1.properties"), text);
    assertEquals(
        900, write(4, "form 5", template).get(ConfigKeys.ELECTION_TIMEOUT_MS), "a formed node");
    assertEquals(
        900,
        write(7, "join 127.0.0.1:9001", template).get(ConfigKeys.ELECTION_TIMEOUT_MS),
        "a joined node");
  }

  private NodeConfig write(int id, String shape) throws Exception {
    return write(id, shape, ROOT.resolve("cluster-config"));
  }

  /** Runs write_node_config for node {@code id} in {@code shape}, then loads what it wrote. */
  private NodeConfig write(int id, String shape, Path configDir) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            "bash",
            "-c",
            "set -euo pipefail; source \"$1\"; write_node_config \"$2\" \"$3\"",
            "write",
            ROOT.resolve("scripts/cluster-lib.sh").toString(),
            String.valueOf(id),
            shape);
    pb.environment().put("DATA_DIR", dataDir.toString());
    pb.environment().put("CONFIG_DIR", configDir.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "write_node_config finished");
    assertEquals(0, p.exitValue(), "write_node_config " + id + " '" + shape + "': " + out);
    return load(dataDir.resolve("node-" + id).resolve("node.properties"));
  }

  private static NodeConfig load(Path file) throws IOException {
    return NodeConfig.load(file, Map.of());
  }
}
