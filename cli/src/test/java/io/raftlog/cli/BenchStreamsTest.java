package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.client.RaftlogClient;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench produce --stream/--streams/--spread-shards/--slow-records}, {@code bench consume
 * --stream}, {@code bench lookup}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchStreamsTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void startCluster() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static String leader() {
    return cluster.clientAddress(cluster.awaitLeader());
  }

  static long end(String stream) {
    try (RaftlogClient client = RaftlogClient.builder().servers(leader()).build()) {
      return client.consume(stream, 0, 10_000, Consistency.LINEARIZABLE).getRecordsCount();
    }
  }

  static void assertOk(Cli.Result r) {
    assertEquals(0, r.exitCode(), r::toString);
    assertEquals("", r.err(), r::toString);
  }

  @Test
  void namesArePaddedToSixDigitsOrMore() {
    assertArrayEquals(
        new String[] {"b-000000", "b-000001", "b-000002"}, BenchStreams.names("b-", 3));
    assertEquals("b-1234566", BenchStreams.names("b-", 1_234_567)[1_234_566]);
  }

  @Test
  void produceGoesToOneStreamOrRoundRobinAndConsumeReadsOneStream() {
    assertOk(
        Cli.run(
            "bench",
            "produce",
            "-s",
            leader(),
            "--records",
            "300",
            "--size",
            "10",
            "--stream",
            "bt-one"));
    assertEquals(300, end("bt-one"));
    Cli.Result r =
        Cli.run("bench", "consume", "-s", leader(), "--stream", "bt-one", "--records", "300");
    assertOk(r);
    assertTrue(r.out().startsWith("300 records read, "), r::toString);

    assertOk(
        Cli.run(
            "bench",
            "produce",
            "-s",
            leader(),
            "--records",
            "50",
            "--size",
            "10",
            "--streams",
            "20",
            "--stream-prefix",
            "bt-rr-"));
    assertEquals(3, end("bt-rr-000000")); // 0, 20, 40
    assertEquals(2, end("bt-rr-000019")); // 19, 39
  }

  @Test
  void spreadShardsWritesToStreamsInDistinctShardsAndTracesTheSlowest() throws Exception {
    Path trace = dir.resolve("slow.tsv");
    assertOk(
        Cli.run(
            "bench",
            "produce",
            "-s",
            leader(),
            "--records",
            "300",
            "--size",
            "10",
            "--spread-shards",
            "3",
            "--stream-prefix",
            "bt-sp-",
            "--slow-records",
            trace.toString(),
            "--slow-count",
            "5"));
    List<String> lines = Files.readAllLines(trace);
    assertEquals(7, lines.size(), String.join("\n", lines)); // comment, header, 5 records
    assertTrue(lines.get(1).startsWith("rank\trecord\tstream\tshard\tleader\t"), lines::toString);
    Set<Integer> shards = new HashSet<>();
    double previous = Double.MAX_VALUE;
    try (RaftlogClient client = RaftlogClient.builder().servers(leader()).build()) {
      for (String line : lines.subList(2, 7)) {
        String[] f = line.split("\t");
        assertEquals(13, f.length, line);
        StreamInfo info = client.describeStream(f[2]);
        assertEquals(info.getShard(), Integer.parseInt(f[3]), line);
        assertEquals(100, info.getNextOffset(), line);
        double latency = Double.parseDouble(f[8]);
        assertTrue(latency <= previous, "slowest first: " + lines);
        previous = latency;
      }
      for (StreamInfo s : client.listStreams("bt-sp-")) {
        shards.add(s.getShard());
      }
    }
    assertEquals(3, shards.size(), "three streams in three shards");
  }

  @Test
  void spreadShardsRefusesMoreShardsThanTheClusterHas() {
    Cli.Result r =
        Cli.run("bench", "produce", "-s", leader(), "--records", "1", "--spread-shards", "1000");
    assertEquals(2, r.exitCode(), r::toString);
    assertTrue(r.err().contains("--spread-shards 1000 but the cluster has"), r::toString);
  }

  @Test
  void lookupCreatesTheStreamsAndFindsThem() {
    Cli.Result r =
        Cli.run(
            "bench",
            "lookup",
            "-s",
            leader(),
            "--streams",
            "500",
            "--stream-prefix",
            "bt-lk-",
            "--reads",
            "100",
            "--rate",
            "1000");
    assertOk(r);
    assertEquals(2, r.outLines().size(), r::toString);
    assertTrue(r.outLines().get(0).startsWith("500 streams created, "), r::toString);
    assertTrue(
        r.outLines().get(1).matches("100 lookups at [\\d.]+/sec of 500 streams, 0 missing, .*"),
        r::toString);
    assertEquals(1, end("bt-lk-000499"));
  }
}
