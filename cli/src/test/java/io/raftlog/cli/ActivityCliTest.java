package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raftlog streams top} and {@code raftlog cluster --watch} against a real three-node cluster
 * with HTTP ports. The busiest streams are those of the nodes' last whole 10 s window, so the test
 * of the table writes until a window with its traffic is reported.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActivityCliTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void startCluster() {
    cluster =
        InProcessCluster.start(
            dir, 3, Map.of("http.port", ClusterLayout.HTTP_PORT_FREE), RaftlogServer::start);
    cluster.awaitShardLeaders();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String node() {
    return cluster.clientAddress(cluster.ids().get(1));
  }

  private static void write(String stream, int count, int size) {
    ProduceRequest.Builder b = ProduceRequest.newBuilder().setStream(stream);
    for (int i = 0; i < count; i++) {
      b.addRecords(Record.newBuilder().setValue(ByteString.copyFrom(new byte[size])));
    }
    cluster.blocking(cluster.ids().get(0)).produce(b.build());
  }

  @Test
  @Order(1)
  void topOnAQuietClusterSaysThereIsNoTraffic() {
    Cli.Result r = Cli.run("streams", "top", "-s", node());
    RaftlogCliTest.assertOk(r);
    assertEquals(List.of("no traffic in the last 10 s"), r.outLines(), r::toString);

    Cli.Result watched =
        Cli.run("streams", "top", "--watch", "--interval", "200ms", "--count", "2", "-s", node());
    RaftlogCliTest.assertOk(watched);
    List<String> lines = watched.outLines();
    assertEquals(7, lines.size(), watched::toString); // two blocks: time, blank, line; a blank
    assertTrue(
        lines.get(0).matches("at \\S+Z, every 200ms \\(Ctrl-C to stop\\)"), watched::toString);
    assertEquals("no traffic in the last 10 s", lines.get(2), watched::toString);
    assertEquals("", lines.get(3), watched::toString);
    assertEquals("no traffic in the last 10 s", lines.get(6), watched::toString);
  }

  @Test
  @Order(2)
  void topRefusesALimitOutOfRange() {
    for (String limit : List.of("0", "1001")) {
      Cli.Result r = Cli.run("streams", "top", "--limit", limit, "-s", node());
      assertEquals(2, r.exitCode(), r::toString);
      assertTrue(r.err().contains("--limit must be 1 to 1000"), r::toString);
    }
  }

  @Test
  @Order(3)
  void topShowsTheBusierStreamFirstWithItsRates() {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    Cli.Result r = null;
    for (int round = 1; System.nanoTime() < end; round++) {
      write("cli-hot", 10, 100);
      write("cli-cold", 1, 100);
      cluster
          .blocking(cluster.ids().get(2))
          .consume(ConsumeRequest.newBuilder().setStream("cli-hot").setMaxRecords(10).build());
      if (round % 10 == 0) {
        r = Cli.run("streams", "top", "--by", "records", "--limit", "2", "-s", node());
        // A window holding both streams' appends and the hot one's reads (the nodes' 10 s
        // windows need not start together: CI met one with the appends but not yet the reads).
        if (r.out().contains("cli-cold") && hotReadRate(r) > 0) {
          break;
        }
      }
    }
    RaftlogCliTest.assertOk(r);
    List<String> lines = r.outLines();
    assertEquals(3, lines.size(), r::toString);
    assertTrue(
        lines
            .get(0)
            .matches("STREAM\\s+SHARD\\s+APPENDED-REC/S\\s+APPENDED-B/S\\s+READ-REC/S\\s+READ-B/S"),
        r::toString);
    String[] hot = lines.get(1).split("\\s+");
    assertEquals("cli-hot", hot[0], r::toString);
    assertTrue(Double.parseDouble(hot[2]) > 0, r::toString);
    assertTrue(hot[3].endsWith("/s"), r::toString);
    assertTrue(Double.parseDouble(hot[4]) > 0, r::toString); // read back: counted
    assertEquals("cli-cold", lines.get(2).split("\\s+")[0], r::toString);
  }

  /** The READ-REC/S of cli-hot in a {@code streams top} answer, or 0 if it has no such row. */
  private static double hotReadRate(Cli.Result r) {
    return r.outLines().stream()
        .map(l -> l.split("\\s+"))
        .filter(f -> f.length >= 5 && f[0].equals("cli-hot"))
        .mapToDouble(f -> Double.parseDouble(f[4]))
        .findFirst()
        .orElse(0);
  }

  @Test
  @Order(4)
  void clusterWatchDrawsCountBlocksWithHttpAddressesAndRates() {
    Cli.Result r =
        Cli.run("cluster", "--watch", "--interval", "300ms", "--count", "2", "-s", node());
    RaftlogCliTest.assertOk(r);
    String out = r.out();
    assertEquals(2, out.lines().filter(l -> l.startsWith("at ")).count(), r::toString);
    for (String id : cluster.ids()) {
      assertTrue(out.contains(cluster.node(id).httpAddress()), r::toString);
    }
    // The first block has no look before it; the second has each node's rates.
    String id = cluster.ids().get(0);
    String first = id + "\\s+-\\s+-\\s+-\\s+-\\s+\\d+";
    String later = id + "\\s+[0-9.]+\\s+\\S+/s\\s+[0-9.]+\\s+\\S+/s\\s+\\d+";
    List<String> rates = out.lines().filter(l -> l.matches(first) || l.matches(later)).toList();
    assertEquals(2, rates.size(), r::toString);
    assertTrue(rates.get(0).matches(first), r::toString);
    assertTrue(rates.get(1).matches(later), r::toString);
  }
}
