package io.raftlog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    assertEquals(ConfigKeys.ELECTION_TIMEOUT_MS.defaultValue(), c.electionTimeoutMs());
    assertEquals(ConfigKeys.MAX_INFLIGHT_BYTES.defaultValue(), c.maxInflightBytes());
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
    assertEquals("node.id '7' is not one of the ids in cluster.peers", error(p));
  }
}
