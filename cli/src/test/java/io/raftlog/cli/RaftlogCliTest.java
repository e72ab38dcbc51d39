package io.raftlog.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.FreePorts;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.TestPki;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raftlog CLI end to end against one real three-node cluster in this JVM. Every test appends
 * its own records and works from the log's end at its start, so tests do not depend on each other.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RaftlogCliTest {
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

  static String follower() {
    return cluster.clientAddress(cluster.aFollower());
  }

  static String leader() {
    return cluster.clientAddress(cluster.awaitLeader());
  }

  /** A node other than {@code address}. */
  static String another(String address) {
    return cluster.ids().stream()
        .map(cluster::clientAddress)
        .filter(a -> !a.equals(address))
        .findFirst()
        .orElseThrow();
  }

  /** The log's next offset, read linearizably. */
  static long logEnd() {
    return cluster
        .blocking(cluster.awaitLeader())
        .consume(
            ConsumeRequest.newBuilder()
                .setOffset(0)
                .setMaxRecords(1)
                .setConsistency(Consistency.LINEARIZABLE)
                .build())
        .getNextOffset();
  }

  static List<Long> offsets(Cli.Result r) {
    List<Long> out = new ArrayList<>();
    for (String line : r.outLines()) {
      out.add(Long.parseLong(line));
    }
    return out;
  }

  static String line(Cli.Result r, int i) {
    return "line " + i + " of\n" + r;
  }

  static void assertOk(Cli.Result r) {
    assertEquals(0, r.exitCode(), r::toString);
    assertEquals("", r.err(), r::toString);
  }

  /** Exactly one line on stderr, "raftlog: ...", and no stack trace. */
  static void assertOneErrorLine(Cli.Result r) {
    assertEquals(1, r.errLines().size(), r::toString);
    assertTrue(r.err().startsWith("raftlog: "), r::toString);
    assertFalse(r.err().contains("\tat "), r::toString);
  }

  @Test
  void produceOnAFollowerThenConsumeOnAnotherNodeInEveryFormat() {
    String follower = follower();
    Cli.Result produced = Cli.run("produce", "--servers", follower, "a", "b", "c");
    assertOk(produced);
    List<Long> offsets = offsets(produced);
    assertEquals(3, offsets.size(), produced::toString);
    long first = offsets.get(0);
    assertEquals(List.of(first, first + 1, first + 2), offsets);

    String other = another(follower);
    String from = String.valueOf(first);
    Cli.Result text = Cli.run("consume", "--servers", other, "--from", from, "--max", "3");
    assertOk(text);
    assertEquals(List.of("a", "b", "c"), text.outLines());

    Cli.Result json =
        Cli.run("consume", "-s", other, "--from", from, "--max", "3", "--format", "json");
    assertOk(json);
    assertEquals(3, json.outLines().size(), json::toString);
    long now = System.currentTimeMillis();
    for (int i = 0; i < 3; i++) {
      JsonObject o = JsonParser.parseString(json.outLines().get(i)).getAsJsonObject();
      assertEquals(first + i, o.get("offset").getAsLong());
      assertEquals(String.valueOf((char) ('a' + i)), o.get("value").getAsString());
      assertTrue(o.get("key").isJsonNull(), o::toString);
      long ts = o.get("timestamp_ms").getAsLong();
      assertTrue(ts > now - 60_000 && ts <= now + 1_000, o::toString);
    }

    Cli.Result hex = Cli.run("consume", "-s", other, "--from", from, "--max", "3", "--format=HEX");
    assertOk(hex);
    assertEquals(3, hex.outLines().size(), hex::toString);
    for (int i = 0; i < 3; i++) {
      String[] parts = hex.outLines().get(i).split("\t");
      assertEquals(2, parts.length, hex::toString);
      assertEquals(first + i, Long.parseLong(parts[0]));
      assertEquals(
          String.valueOf((char) ('a' + i)), new String(HexFormat.of().parseHex(parts[1]), UTF_8));
    }

    // Local reads, once the node asked has applied the records.
    Await.until(
        Duration.ofSeconds(10),
        "a local read of offsets " + first + " to " + (first + 2) + " on " + other,
        () ->
            Cli.run("consume", "-s", other, "--from", from, "--max", "3", "--local")
                .outLines()
                .equals(List.of("a", "b", "c")));
    Cli.Result local = Cli.run("consume", "-s", other, "--from", from, "--max", "3", "--local");
    assertOk(local);
    assertEquals(List.of("a", "b", "c"), local.outLines());
  }

  @Test
  void aRejectedRecordStopsProduceWithExitCode4AfterTheOffsetsBeforeIt() {
    String tooLarge = "x".repeat(3 << 19); // 1.5 MiB: over the nodes' 1 MiB record limit
    Cli.Result r = Cli.run("produce", "-s", follower(), "fine", tooLarge, "sent after");
    assertEquals(4, r.exitCode(), r::toString);
    assertEquals(1, r.outLines().size(), r::toString);
    long offset = Long.parseLong(r.outLines().get(0));
    assertOneErrorLine(r);
    assertTrue(r.err().contains("INVALID_ARGUMENT"), r::toString);

    Cli.Result after = Cli.run("consume", "-s", leader(), "--from", String.valueOf(offset));
    assertOk(after);
    assertEquals("fine", after.outLines().get(0), after::toString);
    // The third record was on its way before the second failed: the producer pipelines. If it
    // was appended, the error says where.
    if (after.outLines().size() > 1) {
      assertEquals(List.of("fine", "sent after"), after.outLines());
      assertTrue(
          r.err()
              .contains(
                  "1 record sent after it was appended all the same, at offset " + (offset + 1)),
          r::toString);
    } else {
      assertFalse(r.err().contains("appended all the same"), r::toString);
    }
  }

  @Test
  void produceReadsStdinLinesAsBytesWithTheKey() {
    ByteArrayOutputStream stdin = new ByteArrayOutputStream();
    stdin.writeBytes("line one\nsaid \"hi\"\tand \\ left\r\n".getBytes(UTF_8));
    stdin.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, 'x', '\n'}); // not UTF-8
    stdin.writeBytes("\u00e9t\u00e9, no newline at the end".getBytes(UTF_8));
    Cli.Result produced =
        Cli.run(stdin.toByteArray(), Map.of(), "produce", "-s", leader(), "--key", "k1");
    assertOk(produced);
    List<Long> offsets = offsets(produced);
    assertEquals(4, offsets.size(), produced::toString);
    assertEquals(offsets.get(0) + 3, offsets.get(3));

    Cli.Result json =
        Cli.run(
            "consume",
            "-s",
            follower(),
            "--from",
            String.valueOf(offsets.get(0)),
            "--format",
            "json");
    assertOk(json);
    List<JsonObject> records =
        json.outLines().stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    assertEquals(4, records.size(), json::toString);
    for (JsonObject o : records) {
      assertEquals("k1", o.get("key").getAsString());
    }
    assertEquals("line one", records.get(0).get("value").getAsString());
    assertEquals("said \"hi\"\tand \\ left", records.get(1).get("value").getAsString());
    assertNull(records.get(2).get("value"), records.get(2)::toString);
    assertEquals(
        Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe, 'x'}),
        records.get(2).get("value_base64").getAsString());
    assertEquals("\u00e9t\u00e9, no newline at the end", records.get(3).get("value").getAsString());
  }

  @Test
  void consumeWithoutMaxPrintsUpToTheEndAndStops() {
    Cli.Result produced = Cli.run("produce", "-s", leader(), "p", "q");
    assertOk(produced);
    long first = offsets(produced).get(0);
    Cli.Result text = Cli.run("consume", "-s", follower(), "--from", String.valueOf(first));
    assertOk(text);
    assertEquals(List.of("p", "q"), text.outLines());

    Cli.Result atEnd = Cli.run("consume", "-s", follower(), "--from", String.valueOf(logEnd()));
    assertOk(atEnd);
    assertEquals("", atEnd.out());
  }

  @Test
  void consumeFollowPrintsRecordsAppendedLater() throws Exception {
    long end = logEnd();
    CompletableFuture<Cli.Result> tail =
        CompletableFuture.supplyAsync(
            () ->
                Cli.run(
                    "consume",
                    "-s",
                    follower(),
                    "--from",
                    String.valueOf(end),
                    "--follow",
                    "--max",
                    "3",
                    "--format",
                    "hex"));
    // Appended only once the subscription follows the tail (or the command ended: then it fails).
    Await.until(
        Duration.ofSeconds(30),
        "consume --follow to follow the stream's tail",
        () ->
            tail.isDone()
                || cluster.ids().stream().mapToInt(id -> cluster.node(id).openTailStreams()).sum()
                    > 0);
    assertOk(Cli.run("produce", "-s", leader(), "f1", "f2", "f3", "f4"));
    Cli.Result r = tail.get(30, TimeUnit.SECONDS);
    assertOk(r);
    List<String> lines = r.outLines();
    assertEquals(3, lines.size(), r::toString);
    for (int i = 0; i < 3; i++) {
      assertEquals(
          (end + i) + "\t" + HexFormat.of().formatHex(("f" + (i + 1)).getBytes(UTF_8)),
          lines.get(i));
    }
  }

  @Test
  void clusterShowsTheNodesThenSixShardsWithALeaderEachSpreadOverTheNodes() {
    cluster.awaitShardLeaders();
    Cli.Result r = Cli.run("cluster", "-s", follower());
    assertOk(r);
    List<String> lines = r.outLines();
    // 1 header + 3 nodes, blank, 1 header + meta + 6 shards, blank, 3 "node N leads" lines.
    assertEquals(4 + 1 + 8 + 1 + 3, lines.size(), r::toString);
    assertTrue(
        lines
            .get(0)
            .matches(
                "ID\\s+ADDRESS\\s+ROLE\\s+TERM\\s+COMMIT\\s+APPLIED\\s+STATE\\s+HEALTH\\s+HTTP"),
        r::toString);
    String metaLeader = null;
    int leaders = 0;
    int followers = 0;
    for (String line : lines.subList(1, 4)) {
      String[] f = line.trim().split("\\s+");
      assertEquals(9, f.length, line);
      assertEquals("-", f[8], line); // no http.port
      assertTrue(cluster.ids().contains(f[0]), line);
      assertEquals(cluster.clientAddress(f[0]), f[1], line);
      assertEquals("ACTIVE", f[6], line);
      assertEquals("ok", f[7], line);
      assertTrue(Long.parseLong(f[3]) >= 1, line);
      Long.parseLong(f[4]);
      Long.parseLong(f[5]);
      if (f[2].equals("LEADER")) {
        leaders++;
        metaLeader = f[0];
      } else if (f[2].equals("FOLLOWER")) {
        followers++;
      }
    }
    assertEquals(1, leaders, r::toString);
    assertEquals(2, followers, r::toString);

    assertEquals("", lines.get(4), r::toString);
    assertTrue(
        lines.get(5).matches("SHARD\\s+LEADER\\s+REPLICAS\\s+TERM\\s+COMMIT\\s+APPLIED"),
        r::toString);
    String[] meta = lines.get(6).trim().split("\\s+");
    assertEquals("meta", meta[0], r::toString);
    assertEquals(metaLeader, meta[1], r::toString);
    Map<String, Integer> led = new java.util.TreeMap<>();
    for (int i = 0; i < 6; i++) {
      String[] f = lines.get(7 + i).trim().split("\\s+");
      assertEquals(6, f.length, lines.get(7 + i));
      assertEquals(String.valueOf(i), f[0], r::toString);
      assertTrue(cluster.ids().contains(f[1]), "shard " + i + " has a leader: " + r);
      assertEquals(
          List.of("1", "2", "3"),
          java.util.Arrays.stream(f[2].split(",")).sorted().toList(),
          line(r, 7 + i));
      assertTrue(Long.parseLong(f[3]) >= 1, lines.get(7 + i));
      led.merge(f[1], 1, Integer::sum);
    }
    assertEquals("", lines.get(13), r::toString);
    for (int i = 0; i < 3; i++) {
      String id = cluster.ids().get(i);
      int n = led.getOrDefault(id, 0);
      assertTrue(
          lines
              .get(14 + i)
              .startsWith("node " + id + " leads " + n + (n == 1 ? " shard" : " shards")),
          r::toString);
    }
  }

  @Test
  void produceToStreamsAAndBThenConsumeEachBackOnAnotherNodeAndListThem() {
    String node = follower();
    Cli.Result a = Cli.run("produce", "--stream", "a", "-s", node, "a1", "a2");
    assertOk(a);
    Cli.Result b = Cli.run("produce", "--stream", "b", "-s", node, "b1", "b2", "b3");
    assertOk(b);
    List<Long> aOffsets = offsets(a);
    List<Long> bOffsets = offsets(b);
    assertEquals(2, aOffsets.size(), a::toString);
    assertEquals(3, bOffsets.size(), b::toString);

    String other = another(node);
    Cli.Result readA =
        Cli.run("consume", "--stream", "a", "-s", other, "--from", "" + aOffsets.get(0));
    assertOk(readA);
    assertEquals(List.of("a1", "a2"), readA.outLines());
    Cli.Result readB =
        Cli.run("consume", "--stream", "b", "-s", other, "--from", "" + bOffsets.get(0));
    assertOk(readB);
    assertEquals(List.of("b1", "b2", "b3"), readB.outLines());
    // Each stream has its own offsets: b's records are not in a.
    Cli.Result allA = Cli.run("consume", "--stream", "a", "-s", other, "--from", "0");
    assertOk(allA);
    assertFalse(allA.outLines().contains("b1"), allA::toString);

    // A page size of 1 makes list page through every stream.
    Cli.Result list = Cli.run("streams", "list", "-s", other, "--page-size", "1");
    assertOk(list);
    assertTrue(
        list.outLines()
            .get(0)
            .matches(
                "NAME\\s+SHARD\\s+LEADER\\s+FIRST OFFSET\\s+NEXT OFFSET\\s+STORED\\s+RETENTION"),
        list::toString);
    Map<String, String[]> rows = new java.util.HashMap<>();
    for (String line : list.outLines().subList(1, list.outLines().size())) {
      String[] f = line.trim().split("\\s+");
      assertTrue(f.length >= 8, line); // then the stored size ("1.2 KiB") and the retention
      rows.put(f[0], f);
    }
    assertTrue(rows.containsKey("a") && rows.containsKey("b"), list::toString);
    assertEquals(String.valueOf(aOffsets.get(1) + 1), rows.get("a")[4], list::toString);
    assertEquals(String.valueOf(bOffsets.get(2) + 1), rows.get("b")[4], list::toString);
    assertTrue(cluster.ids().contains(rows.get("a")[2]), list::toString);

    Cli.Result onlyA = Cli.run("streams", "list", "-s", other, "--prefix", "a");
    assertOk(onlyA);
    assertTrue(onlyA.outLines().stream().skip(1).allMatch(l -> l.startsWith("a")), onlyA::toString);
    assertTrue(onlyA.outLines().stream().anyMatch(l -> l.startsWith("a ")), onlyA::toString);
  }

  @Test
  void produceWithExpectedOffsetAppendsOnlyAtThatOffset() {
    Cli.Result first =
        Cli.run("produce", "--stream", "cas", "-s", leader(), "--expected-offset", "0", "x", "y");
    assertOk(first);
    assertEquals(List.of(0L, 1L), offsets(first));
    Cli.Result next =
        Cli.run("produce", "--stream", "cas", "-s", follower(), "--expected-offset", "2", "z");
    assertOk(next);
    assertEquals(List.of(2L), offsets(next));

    Cli.Result stale =
        Cli.run("produce", "--stream", "cas", "-s", follower(), "--expected-offset", "1", "late");
    assertEquals(4, stale.exitCode(), stale::toString);
    assertEquals("", stale.out(), stale::toString);
    assertOneErrorLine(stale);
    assertTrue(
        stale.err().contains("stream 'cas' is at offset 3, not the expected 1"), stale::toString);
    // The hint's offset comes from the refusal's ErrorInfo detail, relayed by the follower.
    assertTrue(stale.err().contains("--expected-offset 3"), stale::toString);

    Cli.Result all = Cli.run("consume", "--stream", "cas", "-s", follower(), "--from", "0");
    assertOk(all);
    assertEquals(List.of("x", "y", "z"), all.outLines());
  }

  @Test
  void streamsCreateDescribeDeleteAndTheirErrors() {
    Cli.Result created =
        Cli.run(
            "streams",
            "create",
            "orders",
            "-s",
            follower(),
            "--setting",
            "owner=shop",
            "--setting",
            "retention=7d");
    assertOk(created);
    assertTrue(created.out().startsWith("created stream 'orders' in shard "), created::toString);

    Cli.Result again = Cli.run("streams", "create", "orders", "-s", follower());
    assertEquals(4, again.exitCode(), again::toString);
    assertOneErrorLine(again);
    assertTrue(again.err().contains("ALREADY_EXISTS"), again::toString);

    assertOk(Cli.run("produce", "--stream", "orders", "-s", leader(), "o1", "o2"));
    Cli.Result d = Cli.run("streams", "describe", "orders", "-s", follower());
    assertOk(d);
    String out = d.out();
    assertTrue(out.contains("name:          orders"), d::toString);
    assertTrue(out.matches("(?s).*shard:\\s+\\d+.*"), d::toString);
    assertTrue(out.matches("(?s).*leader:\\s+[123]\\R.*"), d::toString);
    assertTrue(out.matches("(?s).*replicas:      [123], [123], [123]\\R.*"), d::toString);
    assertTrue(out.contains("first offset:  0"), d::toString);
    assertTrue(out.contains("next offset:   2"), d::toString);
    assertTrue(out.matches("(?s).*created:\\s+\\d{4}-\\d\\d-\\d\\dT.*Z\\R.*"), d::toString);
    assertTrue(out.contains("settings:\n  owner=shop\n  retention=7d\n"), d::toString);

    Cli.Result deleted = Cli.run("streams", "delete", "orders", "-s", leader());
    assertOk(deleted);
    assertEquals("deleted stream 'orders' (2 records ever appended)\n", deleted.out());

    Cli.Result gone = Cli.run("streams", "delete", "orders", "-s", leader());
    assertEquals(4, gone.exitCode(), gone::toString);
    assertOneErrorLine(gone);
    assertTrue(gone.err().contains("NOT_FOUND"), gone::toString);

    Cli.Result badSetting =
        Cli.run("streams", "create", "bad-settings", "-s", leader(), "--setting", "raftlog.x=1");
    assertEquals(4, badSetting.exitCode(), badSetting::toString);
    assertOneErrorLine(badSetting);
    assertTrue(badSetting.err().contains("INVALID_ARGUMENT"), badSetting::toString);
  }

  @Test
  void describeOfAStreamThatDoesNotExistFailsWithOneClearLine() {
    Cli.Result r = Cli.run("streams", "describe", "no-such-stream", "-s", follower());
    assertEquals(4, r.exitCode(), r::toString);
    assertEquals("", r.out());
    assertOneErrorLine(r);
    assertTrue(r.err().contains("NOT_FOUND"), r::toString);
    assertTrue(r.err().contains("no-such-stream"), r::toString);

    Cli.Result consume =
        Cli.run("consume", "--stream", "no-such-stream", "-s", follower(), "--from", "0");
    assertEquals(4, consume.exitCode(), consume::toString);
    assertOneErrorLine(consume);
    assertTrue(consume.err().contains("NOT_FOUND"), consume::toString);
  }

  @Test
  void benchProduceSendsTheRecordsAndPrintsAKafkaStyleSummary() {
    long before = logEnd();
    Cli.Result r =
        Cli.run(
            "bench",
            "produce",
            "-s",
            follower(),
            "--records",
            "2000",
            "--size",
            "100",
            "--batch-bytes",
            "16384",
            "--linger-ms",
            "2",
            "--in-flight",
            "3");
    assertOk(r);
    assertEquals(1, r.outLines().size(), r::toString);
    String num = "(\\d+(?:\\.\\d+)?)";
    Matcher m =
        Pattern.compile(
                "2000 records sent, "
                    + num
                    + " records/sec \\("
                    + num
                    + " MB/sec\\), "
                    + num
                    + " ms avg latency, "
                    + num
                    + " ms max latency, "
                    + num
                    + " ms 50th, "
                    + num
                    + " ms 95th, "
                    + num
                    + " ms 99th, "
                    + num
                    + " ms 99\\.9th\\.")
            .matcher(r.outLines().get(0));
    assertTrue(m.matches(), r::toString);
    double recordsPerSec = Double.parseDouble(m.group(1));
    double mbPerSec = Double.parseDouble(m.group(2));
    assertTrue(recordsPerSec > 0, r::toString);
    assertEquals(recordsPerSec * 100 / (1 << 20), mbPerSec, 0.01 + mbPerSec * 0.01, r::toString);
    double p50 = Double.parseDouble(m.group(5));
    double p999 = Double.parseDouble(m.group(8));
    double max = Double.parseDouble(m.group(4));
    assertTrue(p50 > 0 && p50 <= p999 && p999 <= max + 0.1, r::toString);
    assertTrue(logEnd() >= before + 2000, "the log holds the 2000 records");
  }

  @Test
  void benchProduceAtAFixedRateTakesAsLongAsTheRateSays() {
    long start = System.nanoTime();
    Cli.Result r =
        Cli.run(
            "bench",
            "produce",
            "-s",
            leader(),
            "--records",
            "200",
            "--size",
            "10",
            "--rate",
            "400");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertOk(r);
    assertTrue(r.out().startsWith("200 records sent, "), r::toString);
    assertTrue(millis >= 450, "200 records at 400/s took only " + millis + " ms");
  }

  @Test
  void benchConsumeReadsAndReportsThroughput() {
    assertOk(Cli.run("bench", "produce", "-s", leader(), "--records", "1500", "--size", "50"));
    long from = logEnd() - 1500;
    Cli.Result r =
        Cli.run(
            "bench",
            "consume",
            "-s",
            follower(),
            "--from",
            String.valueOf(from),
            "--records",
            "1500");
    assertOk(r);
    assertTrue(
        r.out()
            .matches(
                "1500 records read, [\\d.]+ records/sec \\([\\d.]+ MB/sec\\), \\d+ responses,"
                    + " first after [\\d.]+ ms\\.\\R"),
        r::toString);

    // Asking for more than the log holds reads to the end and says so.
    Cli.Result past =
        Cli.run(
            "bench",
            "consume",
            "-s",
            follower(),
            "--from",
            String.valueOf(logEnd() - 10),
            "--records",
            "100",
            "--idle",
            "500ms");
    assertEquals(0, past.exitCode(), past::toString);
    assertTrue(past.out().startsWith("10 records read, "), past::toString);
    assertOneErrorLine(past);
  }

  @Test
  void unknownNodesAndShardsAreRefusedBeforeAnyMembershipCall() {
    String noNode = "raftlog: no node '9' in the cluster; its nodes are 1, 2, 3";
    String noShard = "raftlog: no shard 9 in the cluster; its shards are 0 to 5";
    for (String[] args :
        List.of(
            new String[] {"nodes", "drain", "9"},
            new String[] {"nodes", "remove", "9", "--dead"},
            new String[] {"shards", "move", "9", "--from", "1", "--to", "2"},
            new String[] {"shards", "move", "0", "--from", "9", "--to", "2"},
            new String[] {"shards", "move", "0", "--from", "1", "--to", "9"},
            new String[] {"shards", "transfer-leader", "9", "--to", "1"},
            new String[] {"shards", "transfer-leader", "--meta", "--to", "9"})) {
      List<String> all = new ArrayList<>(List.of(args));
      all.addAll(List.of("-s", follower()));
      Cli.Result r = Cli.run(all.toArray(String[]::new));
      assertEquals(4, r.exitCode(), r::toString);
      assertEquals("", r.out(), r::toString);
      assertOneErrorLine(r);
      assertEquals(
          args[0].equals("shards") && args[2].equals("9") // the shard is the unknown id
              ? noShard
              : noNode,
          r.err().trim(),
          r::toString);
    }
  }

  @Test
  void nodesListAndShardsListShowEveryNodeAndEveryShardIdFirst() {
    cluster.awaitShardLeaders();
    Cli.Result nodes = Cli.run("nodes", "list", "-s", follower());
    assertOk(nodes);
    List<String> lines = nodes.outLines();
    assertEquals(4, lines.size(), nodes::toString);
    assertTrue(
        lines
            .get(0)
            .matches("ID\\s+ADDRESS\\s+RAFT\\s+STATE\\s+REPLICAS\\s+LEADERS\\s+META\\s+HEALTH"),
        nodes::toString);
    for (int i = 0; i < 3; i++) {
      String[] f = lines.get(1 + i).trim().split("\\s+");
      assertEquals(8, f.length, nodes::toString);
      assertEquals(cluster.ids().get(i), f[0], nodes::toString);
      assertEquals(cluster.clientAddress(f[0]), f[1], nodes::toString);
      assertEquals("ok", f[7], nodes::toString);
    }

    Cli.Result shards = Cli.run("shards", "list", "-s", follower());
    assertOk(shards);
    lines = shards.outLines();
    assertEquals(1 + 1 + 6, lines.size(), shards::toString);
    assertTrue(lines.get(0).matches("SHARD\\s+LEADER\\s+REPLICAS\\s+MOVE"), shards::toString);
    assertTrue(lines.get(1).startsWith("meta "), shards::toString);
    for (int i = 0; i < 6; i++) {
      String[] f = lines.get(2 + i).trim().split("\\s+");
      assertEquals(List.of(String.valueOf(i), "-"), List.of(f[0], f[3]), shards::toString);
      assertTrue(cluster.ids().contains(f[1]), shards::toString);
      assertEquals(List.of("1", "2", "3"), Arrays.stream(f[2].split(",")).sorted().toList());
    }
  }

  @Test
  void consumePastTheEndIsRejectedWithExitCode4() {
    long past = logEnd() + 100;
    Cli.Result r = Cli.run("consume", "-s", follower(), "--from", String.valueOf(past));
    assertEquals(4, r.exitCode(), r::toString);
    assertEquals("", r.out());
    assertOneErrorLine(r);
    assertTrue(r.err().contains("OUT_OF_RANGE"), r::toString);
  }

  @Test
  void anUnreachableClusterFailsWithExitCode3NamingWhatWasTried() {
    String nowhere = FreePorts.loopbackAddress();
    for (String[] command :
        List.of(
            new String[] {"cluster"},
            new String[] {"consume", "--from", "0"},
            new String[] {"produce", "x"})) {
      List<String> args = new ArrayList<>(List.of(command));
      args.addAll(List.of("--servers", nowhere, "--deadline", "2s"));
      long start = System.nanoTime();
      Cli.Result r = Cli.run(args.toArray(String[]::new));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(3, r.exitCode(), r::toString);
      assertEquals("", r.out());
      assertOneErrorLine(r);
      assertTrue(r.err().contains(nowhere), r::toString);
      if (command[0].equals("produce")) {
        // produce first waits (up to --deadline) for the slot map; the message says for what.
        assertTrue(r.err().contains("answered GetCluster"), r::toString);
      } else {
        assertTrue(r.err().contains("UNAVAILABLE"), r::toString);
        assertTrue(r.err().contains("gave up after"), r::toString);
      }
      assertTrue(millis < 10_000, command[0] + " took " + millis + " ms");
    }
  }

  /**
   * TLS options against this plaintext cluster: one line saying the node answered in plaintext, at
   * once (not after --deadline's retries); a certificate without its key is a usage error; a
   * missing file named.
   */
  @Test
  void tlsToAPlaintextNodeSaysSoInOneLine() {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    TestPki.Issued me = pki.client("cli");
    String node = follower();
    for (String[] command :
        List.of(new String[] {"cluster"}, new String[] {"produce", "--stream", "tls", "x"})) {
      long start = System.nanoTime();
      Cli.Result r =
          Cli.run(
              new byte[0],
              Map.of("RAFTLOG_CERT", me.cert().toString(), "RAFTLOG_KEY", me.key().toString()),
              concat(command, "--servers", node, "--ca", pki.caFile().toString()));
      assertEquals(3, r.exitCode(), r::toString);
      assertOneErrorLine(r);
      assertTrue(
          r.err().contains("cannot reach " + node + " with TLS: the node answered in plaintext"),
          r::toString);
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), r::toString);
    }
    Cli.Result half = Cli.run("cluster", "--ca", pki.caFile().toString(), "--cert", "c.pem");
    assertEquals(2, half.exitCode(), half::toString);
    assertTrue(half.err().contains("--cert (or $RAFTLOG_CERT) needs --cert-key"), half::toString);
    Path missing = dir.resolve("no-ca.pem");
    Cli.Result gone = Cli.run(new byte[0], Map.of("RAFTLOG_CA", missing.toString()), "cluster");
    assertEquals("raftlog: CA file " + missing + ": does not exist", gone.err().strip());
    assertEquals(4, gone.exitCode(), gone::toString);
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }

  @Test
  void serversComeFromTheEnvironmentWithoutTheOption() {
    Cli.Result r =
        Cli.run(new byte[0], Map.of("RAFTLOG_SERVERS", "  " + follower() + " "), "cluster");
    assertOk(r);
    assertTrue(r.outLines().get(0).startsWith("ID "), r::toString);
    assertTrue(r.out().contains("\nSHARD "), r::toString);

    Cli.Result bad = Cli.run(new byte[0], Map.of("RAFTLOG_SERVERS", "nonsense"), "cluster");
    assertEquals(2, bad.exitCode(), bad::toString);
    assertTrue(bad.err().contains("RAFTLOG_SERVERS"), bad::toString);
  }

  @Test
  void helpAndVersionExitZero() {
    Cli.Result top = Cli.run("--help");
    assertEquals(0, top.exitCode(), top::toString);
    assertTrue(top.out().contains("Exit codes:"), top::toString);
    for (String c :
        List.of(
            "produce",
            "consume",
            "cluster",
            "streams",
            "streams create",
            "streams list",
            "streams describe",
            "streams delete",
            "streams update",
            "streams truncate",
            "streams top",
            "consumers",
            "consumers list",
            "consumers describe",
            "consumers delete",
            "consumers commit",
            "bench",
            "bench produce",
            "bench consume",
            "bench lookup")) {
      List<String> args = new ArrayList<>(List.of(c.split(" ")));
      args.add("--help");
      Cli.Result r = Cli.run(args.toArray(String[]::new));
      assertEquals(0, r.exitCode(), r::toString);
      assertTrue(r.out().startsWith("Usage: raftlog " + c), r::toString);
      assertTrue(
          r.out().contains("--servers")
              || c.equals("bench")
              || c.equals("streams")
              || c.equals("consumers"),
          r::toString);
    }
    Cli.Result version = Cli.run("--version");
    assertEquals(0, version.exitCode(), version::toString);
    assertTrue(version.out().startsWith("raftlog "), version::toString);
  }

  @Test
  void usageErrorsExitTwo() {
    for (String[] args :
        List.of(
            new String[] {},
            new String[] {"frobnicate"},
            new String[] {"consume"},
            new String[] {"consume", "--from", "x"},
            new String[] {"consume", "--from", "0", "--format", "xml"},
            new String[] {"cluster", "--servers", "no-port"},
            new String[] {"cluster", "--deadline", "soon"},
            new String[] {"bench"},
            new String[] {"streams"},
            new String[] {"streams", "describe"},
            new String[] {"streams", "list", "--page-size", "0"},
            new String[] {"produce", "--stream", "no spaces", "x"},
            new String[] {"consume", "--stream", "", "--from", "0"},
            new String[] {"produce", "--expected-offset", "-1", "x"},
            new String[] {"bench", "produce", "--in-flight", "9"})) {
      Cli.Result r = Cli.run(args);
      assertEquals(2, r.exitCode(), () -> String.join(" ", args) + "\n" + r);
      assertEquals("", r.out(), r::toString);
      assertFalse(r.err().isEmpty(), r::toString);
    }
  }
}
