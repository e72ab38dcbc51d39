package io.raftlog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Every bad config fails at start-up with a message naming the key and what is wrong. */
class NodeConfigTest {

  private static Properties minimal() {
    Properties p = new Properties();
    p.setProperty("node.id", "1");
    p.setProperty("data.dir", "/tmp/x");
    p.setProperty("cluster.peers", "1@127.0.0.1:8101@127.0.0.1:9001");
    return p;
  }

  private static String error(Properties p) {
    return assertThrows(IllegalArgumentException.class, () -> NodeConfig.from(p)).getMessage();
  }

  @Test
  void absentKeysTakeTheirDeclaredDefaults() {
    NodeConfig c = NodeConfig.from(minimal());
    assertEquals(
        ConfigKeys.ELECTION_TIMEOUT_MS.defaultValue(), c.get(ConfigKeys.ELECTION_TIMEOUT_MS));
    assertEquals(
        ConfigKeys.MAX_INFLIGHT_BYTES.defaultValue(), c.get(ConfigKeys.MAX_INFLIGHT_BYTES));
  }

  @Test
  void aMissingRequiredKeyIsNamed() {
    Properties p = minimal();
    p.remove("data.dir");
    assertEquals("missing required key 'data.dir'", error(p));
  }

  @Test
  void aNumberThatIsNotOneIsNamedWithItsKey() {
    Properties p = minimal();
    p.setProperty("raft.election-timeout-ms", "6oo");
    assertEquals("'raft.election-timeout-ms' must be a whole number, not '6oo'", error(p));
  }

  @Test
  void aNonPositiveValueIsNamedWithItsKey() {
    Properties p = minimal();
    p.setProperty("log.max-producers", "0");
    assertEquals("'log.max-producers' must be positive, not 0", error(p));
  }

  @Test
  void anIntKeyBeyondIntRangeIsRejectedNotWrapped() {
    Properties p = minimal();
    p.setProperty("log.max-record-bytes", "4294967297");
    assertEquals("'log.max-record-bytes' must be at most 2147483647, not 4294967297", error(p));
  }

  @Test
  void aBatchLimitBelowTheRecordLimitIsRejected() {
    Properties p = minimal();
    p.setProperty("log.max-batch-bytes", "1000");
    assertEquals("log.max-batch-bytes must be at least log.max-record-bytes", error(p));
  }

  @Test
  void portZeroInAPeerIsRejectedAsTheClientRejectsIt() {
    Properties p = minimal();
    p.setProperty("cluster.peers", "1@127.0.0.1:0@127.0.0.1:9001");
    assertEquals(
        "'cluster.peers' address '127.0.0.1:0' has no valid port (a number from 1 to 65535)",
        error(p));
  }

  @Test
  void theNodeMustBeOneOfThePeers() {
    Properties p = minimal();
    p.setProperty("node.id", "7");
    assertEquals(
        "node.id '7' is not one of the ids in cluster.peers, and cluster.join is not set: give the"
            + " nodes that form the cluster, or nodes of a running cluster to join",
        error(p));
  }

  @Test
  void aBuilderSetsKeysByName() {
    NodeConfig c =
        NodeConfig.builder()
            .set(ConfigKeys.NODE_ID, "2")
            .set(ConfigKeys.DATA_DIR, Path.of("/tmp/x"))
            .set(
                ConfigKeys.CLUSTER_PEERS,
                List.of(
                    new Peer("2", "127.0.0.1:8102", "127.0.0.1:9002"),
                    new Peer("1", "127.0.0.1:8101", "127.0.0.1:9001")))
            .set(ConfigKeys.ELECTION_TIMEOUT_MS, 900)
            .build();
    assertEquals(900, c.get(ConfigKeys.ELECTION_TIMEOUT_MS));
    assertEquals(ConfigKeys.CLUSTER_SHARDS.defaultValue(), c.get(ConfigKeys.CLUSTER_SHARDS));
    assertEquals(
        List.of("1", "2"), c.get(ConfigKeys.CLUSTER_PEERS).stream().map(Peer::id).toList());
    assertEquals("127.0.0.1:9002", c.self().clientAddress());
  }

  @Test
  void aBuilderChecksEachValueAsTheFileIsChecked() {
    assertEquals(
        "'log.max-producers' must be positive, not 0",
        assertThrows(
                IllegalArgumentException.class,
                () -> NodeConfig.builder().set(ConfigKeys.MAX_PRODUCERS, 0))
            .getMessage());
    assertEquals(
        "missing required key 'node.id'",
        assertThrows(IllegalArgumentException.class, () -> NodeConfig.builder().build())
            .getMessage());
  }
}
