package io.raftlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.raftlog.testkit.Commands;
import io.raftlog.testkit.ProcessCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's grpcurl examples, run with {@code buf curl} (the same server-reflection protocol)
 * against node processes: an outside client with no .proto files must be able to use raftlog.
 */
class BufCurlIT {
  static final Path BUF = Path.of("..", "tools", "node_modules", ".bin", "buf").toAbsolutePath();

  @TempDir static Path dir;
  static ProcessCluster cluster;
  static String leader;
  static String follower;
  static String other;

  @BeforeAll
  static void start() throws IOException {
    assertTrue(
        Files.isExecutable(BUF),
        BUF + " is missing: the build installs it (npm install in tools/)");
    cluster = NodeProcesses.threeNodes(dir);
    cluster.startAll();
    leader = cluster.awaitLeader(Duration.ofSeconds(30));
    List<String> followers = new ArrayList<>(cluster.ids());
    followers.remove(leader);
    follower = followers.get(0);
    other = followers.get(1);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Runs buf curl against a node; returns stdout, failing the test on a non-zero exit. */
  static String bufCurl(String node, String method, String json) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(BUF.toString(), "curl", "--protocol", "grpc", "--http2-prior-knowledge"));
    if (method == null) {
      cmd.add("--list-methods");
    }
    if (json != null) {
      cmd.addAll(List.of("-d", json));
    }
    cmd.add("http://" + cluster.clientAddress(node) + (method == null ? "" : "/" + method));
    return Commands.run(Duration.ofSeconds(30), cmd).orThrow();
  }

  @Test
  void reflectionListsTheLogAndHealthServices() throws Exception {
    String methods = bufCurl(follower, null, null);
    assertTrue(methods.contains("raftlog.v1.Log/Produce"), methods);
    assertTrue(methods.contains("raftlog.v1.Log/ConsumeStream"), methods);
    assertTrue(methods.contains("grpc.health.v1.Health/Check"), methods);
    assertTrue(
        methods.contains("opentelemetry.proto.collector.logs.v1.LogsService/Export"), methods);
  }

  @Test
  void anOtlpExportAsTheReadmeSendsItIsReadBackAsItsLogRecord() throws Exception {
    String exported =
        bufCurl(
            follower,
            "opentelemetry.proto.collector.logs.v1.LogsService/Export",
            "{\"resource_logs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                + "\"value\":{\"string_value\":\"checkout\"}}]},\"scope_logs\":[{\"log_records\":"
                + "[{\"severity_number\":\"SEVERITY_NUMBER_INFO\",\"body\":{\"string_value\":"
                + "\"order 42 paid\"}}]}]}]}");
    assertEquals("{}", exported.strip()); // no partial_success: every record appended
    String consumed =
        bufCurl(
            other,
            "raftlog.v1.Log/Consume",
            "{\"stream\":\"logs.checkout\",\"offset\":0,\"max_records\":10}");
    String value = consumed.replaceAll("(?s).*?\"value\": \"([^\"]+)\".*", "$1");
    ResourceLogs kept = ResourceLogs.parseFrom(Base64.getDecoder().decode(value));
    var log = kept.getScopeLogs(0).getLogRecords(0);
    assertEquals("order 42 paid", log.getBody().getStringValue(), consumed);
    assertEquals(9, log.getSeverityNumberValue(), consumed); // SEVERITY_NUMBER_INFO
    assertEquals("checkout", kept.getResource().getAttributes(0).getValue().getStringValue());
  }

  @Test
  void produceOnAFollowerThenConsumeTheSameBytesOnAnotherNode() throws Exception {
    // "aGVsbG8gcmFmdGxvZw==" is base64 for "hello raftlog".
    String produced =
        bufCurl(
            follower,
            "raftlog.v1.Log/Produce",
            "{\"records\":[{\"value\":\"aGVsbG8gcmFmdGxvZw==\"}]}");
    assertTrue(produced.contains("\"recordCount\": 1"), produced);
    String offset =
        produced.contains("\"baseOffset\"")
            ? produced.replaceAll("(?s).*\"baseOffset\": \"(\\d+)\".*", "$1")
            : "0";
    String consumed =
        bufCurl(other, "raftlog.v1.Log/Consume", "{\"offset\":" + offset + ",\"max_records\":1}");
    assertTrue(consumed.contains("\"value\": \"aGVsbG8gcmFmdGxvZw==\""), consumed);
  }

  /** The base offset of a produce answer (proto3 JSON leaves out 0). */
  static String baseOffset(String produced) {
    return produced.contains("\"baseOffset\"")
        ? produced.replaceAll("(?s).*?\"baseOffset\": \"(\\d+)\".*", "$1")
        : "0";
  }

  @Test
  void produceToStreamsAAndBOnOneNodeThenReadEachBackOnAnotherAndListThem() throws Exception {
    // As the README: "aGVsbG8=" is "hello", "d29ybGQ=" is "world".
    String a =
        bufCurl(
            follower,
            "raftlog.v1.Log/Produce",
            "{\"stream\":\"a\",\"records\":[{\"value\":\"aGVsbG8=\"}]}");
    assertTrue(a.contains("\"recordCount\": 1"), a);
    assertTrue(a.contains("\"stream\": \"a\""), a);
    String b =
        bufCurl(
            follower,
            "raftlog.v1.Log/Produce",
            "{\"stream\":\"b\",\"records\":[{\"value\":\"d29ybGQ=\"}]}");
    assertTrue(b.contains("\"stream\": \"b\""), b);

    String readA =
        bufCurl(
            other,
            "raftlog.v1.Log/Consume",
            "{\"stream\":\"a\",\"offset\":" + baseOffset(a) + ",\"max_records\":10}");
    assertTrue(readA.contains("\"value\": \"aGVsbG8=\""), readA);
    assertFalse(readA.contains("d29ybGQ="), readA);
    String readB =
        bufCurl(
            other,
            "raftlog.v1.Log/Consume",
            "{\"stream\":\"b\",\"offset\":" + baseOffset(b) + ",\"max_records\":10}");
    assertTrue(readB.contains("\"value\": \"d29ybGQ=\""), readB);

    String list = bufCurl(leader, "raftlog.v1.Log/ListStreams", "{}");
    assertTrue(list.contains("\"name\": \"a\""), list);
    assertTrue(list.contains("\"name\": \"b\""), list);
    String described = bufCurl(other, "raftlog.v1.Log/DescribeStream", "{\"stream\":\"a\"}");
    assertTrue(described.contains("\"nextOffset\""), described);
  }

  @Test
  void truncateThenCommitAndGetANamedConsumerAsTheReadmeDoes() throws Exception {
    // "cjA=", "cjE=", "cjI=" are "r0", "r1", "r2".
    String produced =
        bufCurl(
            follower,
            "raftlog.v1.Log/Produce",
            "{\"stream\":\"orders\",\"records\":[{\"value\":\"cjA=\"},{\"value\":\"cjE=\"},"
                + "{\"value\":\"cjI=\"}]}");
    assertTrue(produced.contains("\"recordCount\": 3"), produced);
    String truncated =
        bufCurl(other, "raftlog.v1.Log/Truncate", "{\"stream\":\"orders\",\"before_offset\":1}");
    assertTrue(truncated.contains("\"firstOffset\": \"1\""), truncated);
    assertTrue(truncated.contains("\"nextOffset\": \"3\""), truncated);
    String committed =
        bufCurl(
            follower,
            "raftlog.v1.Log/CommitOffset",
            "{\"stream\":\"orders\",\"consumer\":\"billing\",\"offset\":2}");
    assertTrue(committed.contains("\"committedOffset\": \"2\""), committed);
    String got =
        bufCurl(
            other,
            "raftlog.v1.Log/GetConsumer",
            "{\"stream\":\"orders\",\"consumer\":\"billing\"}");
    assertTrue(got.contains("\"committedOffset\": \"2\""), got);
    assertTrue(got.contains("\"lag\": \"1\""), got);
    String earliest =
        bufCurl(
            leader,
            "raftlog.v1.Log/Consume",
            "{\"stream\":\"orders\",\"offset\":0,\"reset\":\"OFFSET_RESET_EARLIEST\"}");
    assertTrue(earliest.contains("\"value\": \"cjE=\""), earliest);
    assertFalse(earliest.contains("cjA="), earliest);
  }

  @Test
  void healthGetClusterAndTopStreamsAnswer() throws Exception {
    String health =
        bufCurl(follower, "grpc.health.v1.Health/Check", "{\"service\":\"raftlog.v1.Log\"}");
    assertTrue(health.contains("SERVING"), health);
    String view = bufCurl(follower, "raftlog.v1.Log/GetCluster", null);
    // Six shards, each with a leader, and the meta group's leader.
    assertTrue(view.contains("\"shards\""), view);
    assertEquals(6, view.split("\"replicas\": \\[\\s*\"", -1).length - 2, view);
    assertTrue(view.contains("\"meta\""), view);
    String top =
        bufCurl(
            other,
            "raftlog.v1.Log/TopStreams",
            "{\"limit\":5,\"order\":\"TOP_STREAMS_ORDER_RECORDS\"}");
    assertTrue(top.contains("\"windowMs\": 10000"), top);
  }
}
