package io.raftlog.replication.rafttls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.FreePorts;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The issue's sniffer: every Raft connection of a 3-node cluster crosses a {@link TcpRelay} (each
 * node advertises the relay's port and binds {@code node.raft-listen-port} behind it), which keeps
 * the bytes. A record's value written through the API reaches the followers over those connections:
 * with {@code tls.raft.mode=mtls} the relays never see it in the clear; with the Raft port off (the
 * control that shows the test can fail) they do.
 */
class RaftPortSnifferTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"off", "mtls"})
  void aSnifferBetweenNodesSeesRecordValuesOnlyWithoutTls(String raftMode) throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    List<TcpRelay> relays = new CopyOnWriteArrayList<>();
    Map<String, String> settings = new HashMap<>();
    settings.put(ConfigKeys.CLUSTER_SHARDS.name(), "1");
    settings.put(ConfigKeys.TLS_RAFT_MODE.name(), raftMode);
    String value = "SNIFF-ME-" + UUID.randomUUID();
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(
            dir.resolve("nodes"),
            3,
            settings,
            p -> RaftlogServer.start(behindRelay(p, pki, relays)))) {
      String leader = cluster.awaitLeader("sniffed");
      Await.until(
          Duration.ofSeconds(20),
          "a write of " + value,
          () -> {
            cluster
                .blocking(cluster.awaitLeader("sniffed"))
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .produce(
                    ProduceRequest.newBuilder()
                        .setStream("sniffed")
                        .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(value)))
                        .build());
            return true;
          });
      // Acknowledged = on a majority; the relays carried it to at least one follower.
      byte[] marker = value.getBytes(StandardCharsets.UTF_8);
      long seen = relays.stream().mapToLong(r -> r.seen().length).sum();
      assertTrue(seen > 1_000, "the relays carried " + seen + " bytes: the nodes did not use them");
      boolean clear = relays.stream().anyMatch(r -> contains(r.seen(), marker));
      assertEquals(
          raftMode.equals("off"),
          clear,
          "tls.raft.mode="
              + raftMode
              + ": the value was "
              + (clear ? "" : "not ")
              + "seen in the clear between the nodes (leader "
              + leader
              + ")");
    } finally {
      for (TcpRelay r : relays) {
        r.close();
      }
    }
  }

  /** Node {@code p}'s config with its files, binding a port of its own behind a relay. */
  private static Properties behindRelay(Properties p, TestPki pki, List<TcpRelay> relays)
      throws Exception {
    String id = p.getProperty("node.id");
    TestPki.Issued files = pki.node(id);
    p.setProperty(ConfigKeys.TLS_CERT_FILE.name(), files.cert().toString());
    p.setProperty(ConfigKeys.TLS_KEY_FILE.name(), files.key().toString());
    p.setProperty(ConfigKeys.TLS_CA_FILE.name(), pki.caFile().toString());
    String advertised = null;
    for (String spec : p.getProperty("cluster.peers").split(",")) {
      String[] parts = spec.split("@");
      if (parts[0].equals(id)) {
        advertised = parts[1];
      }
    }
    int bound = FreePorts.next();
    int relayPort = Integer.parseInt(advertised.substring(advertised.lastIndexOf(':') + 1));
    relays.add(new TcpRelay(relayPort, bound));
    p.setProperty(ConfigKeys.NODE_RAFT_LISTEN_PORT.name(), String.valueOf(bound));
    return p;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
