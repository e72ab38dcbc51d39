package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.raftlog.api.v1.Record;
import io.raftlog.client.RaftlogClient;
import io.raftlog.otlp.LogEntry;
import io.raftlog.otlp.LogJson;
import io.raftlog.otlp.LogValues;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code consume --format log|json --severity --where} on one stream holding logs in each of
 * LogValues' forms (OTLP, JSON, text lines) and a record whose value is not the OTLP its header
 * says, produced through the Java client to a real three-node cluster in this JVM.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LogReadingCliTest {
  static final String STREAM = "logs.checkout";
  static final long T0 = 1_796_497_200_000L; // 2026-12-05T19:00:00Z

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static String servers;

  /** What --format log prints for each offset (5 is unreadable: skipped, with a warning). */
  static final String[] LINES = {
    "2026-12-05T19:00:00.100Z INFO  checkout order placed order=42",
    "2026-12-05T19:00:01.200Z WARN  checkout card declined order=43 user=\"Ann Lee\""
        + " trace_id=0af7651916cd43dd8448eb211c80319c span_id=b7ad6b7169203331",
    "2026-12-05T19:00:02.300Z ERROR payments payment failed\\n\\tat Pay.run(Pay.java:7) order=43",
    "2026-12-05T19:00:03.000Z -     - 2026-12-05 19:00:03 WARN disk almost full",
    "2026-12-05T19:00:04.000Z -     - a line with no level",
    null,
    "2026-12-05T19:00:06.000Z DEBUG checkout cache miss order=44",
  };

  static final LogEntry PAYMENT =
      new LogEntry(
          (T0 + 2300) * 1_000_000,
          17,
          "",
          "payment failed\n\tat Pay.run(Pay.java:7)",
          Map.of("order", "43"),
          Map.of("service.name", "payments"),
          "",
          "");

  static final String UNREADABLE =
      "raftlog: offset 5 skipped: the value is not an OTLP ResourceLogs, as its content-type"
          + " application/x-otlp-log+protobuf says: ";

  @BeforeAll
  static void startClusterAndProduceLogs() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
    servers = String.join(",", cluster.ids().stream().map(cluster::clientAddress).toList());
    ResourceLogs checkout = resource("checkout");
    ScopeLogs scope = ScopeLogs.getDefaultInstance();
    List<Record> records = new ArrayList<>();
    records.add(
        LogValues.otlp(
            checkout, scope, otlp(100, SeverityNumber.SEVERITY_NUMBER_INFO, "order placed", 42)));
    records.add(
        LogValues.otlp(
            checkout,
            scope,
            otlp(1200, SeverityNumber.SEVERITY_NUMBER_WARN, "card declined", 43).toBuilder()
                .setSeverityText("Warning")
                .addAttributes(kv("user", "Ann Lee"))
                .setTraceId(hex("0af7651916cd43dd8448eb211c80319c"))
                .setSpanId(hex("b7ad6b7169203331"))
                .build()));
    records.add(LogValues.json(PAYMENT));
    records.add(line(3000, "2026-12-05 19:00:03 WARN disk almost full"));
    records.add(line(4000, "a line with no level"));
    records.add(
        LogValues.otlp(checkout, scope, LogRecord.getDefaultInstance()).toBuilder()
            .setValue(ByteString.copyFrom(new byte[] {0x0a, (byte) 0xff}))
            .setTimestampMs(T0 + 5000)
            .build());
    records.add(
        LogValues.otlp(
            checkout, scope, otlp(6000, SeverityNumber.SEVERITY_NUMBER_DEBUG, "cache miss", 44)));
    try (RaftlogClient client = RaftlogClient.builder().servers(servers).build()) {
      client.produce(STREAM, records);
    }
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static ResourceLogs resource(String service) {
    return ResourceLogs.newBuilder()
        .setResource(
            Resource.newBuilder()
                .addAttributes(kv("service.name", service))
                .addAttributes(kv("host.name", "h1")))
        .build();
  }

  static LogRecord otlp(long ms, SeverityNumber severity, String body, int order) {
    return LogRecord.newBuilder()
        .setTimeUnixNano((T0 + ms) * 1_000_000)
        .setSeverityNumber(severity)
        .setBody(AnyValue.newBuilder().setStringValue(body))
        .addAttributes(
            KeyValue.newBuilder()
                .setKey("order")
                .setValue(AnyValue.newBuilder().setIntValue(order)))
        .build();
  }

  static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static ByteString hex(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  static Record line(long ms, String text) {
    return Record.newBuilder()
        .setValue(ByteString.copyFromUtf8(text))
        .setTimestampMs(T0 + ms)
        .build();
  }

  static Cli.Result consume(String... args) {
    List<String> all = new ArrayList<>(List.of("consume", "--stream", STREAM));
    all.addAll(List.of(args));
    all.addAll(List.of("--servers", servers));
    return Cli.run(all.toArray(String[]::new));
  }

  static List<String> lines(int... offsets) {
    List<String> out = new ArrayList<>();
    for (int o : offsets) {
      out.add(LINES[o]);
    }
    return out;
  }

  /** Exit 0, and the one warning for offset 5 on stderr. */
  static void assertOkWithTheUnreadableWarning(Cli.Result r, String warning) {
    assertEquals(0, r.exitCode(), r::toString);
    assertEquals(1, r.errLines().size(), r::toString);
    assertTrue(r.errLines().get(0).startsWith(warning), r::toString);
  }

  @Test
  void formatLogPrintsEachLogAsOneLineAndWarnsOfTheUnreadableOne() {
    Cli.Result r = consume("--from", "0", "--format", "log");
    assertOkWithTheUnreadableWarning(r, UNREADABLE);
    assertEquals(lines(0, 1, 2, 3, 4, 6), r.outLines(), r::toString);
  }

  @Test
  void formatJsonShowsLogsInPlaceOfTheirValueAndOtherRecordsAsBefore() {
    Cli.Result r = consume("--from", "0", "--format", "json");
    assertOkWithTheUnreadableWarning(
        r,
        "raftlog: offset 5 printed without \"log\": the value is not an OTLP ResourceLogs, as its"
            + " content-type application/x-otlp-log+protobuf says: ");
    String otlpHeader =
        ",\"headers\":[{\"key\":\"content-type\",\"value\":\"application/x-otlp-log+protobuf\"}]}";
    assertEquals(
        List.of(
            "{\"offset\":0,\"timestamp_ms\":1796497200100,\"key\":null,\"log\":{"
                + "\"time\":\"2026-12-05T19:00:00.100Z\",\"severity\":\"INFO\","
                + "\"severity_number\":9,\"service\":\"checkout\",\"body\":\"order placed\","
                + "\"attributes\":{\"order\":\"42\"},"
                + "\"resource\":{\"host.name\":\"h1\",\"service.name\":\"checkout\"}}"
                + otlpHeader,
            "{\"offset\":1,\"timestamp_ms\":1796497201200,\"key\":null,\"log\":{"
                + "\"time\":\"2026-12-05T19:00:01.200Z\",\"severity\":\"Warning\","
                + "\"severity_number\":13,\"service\":\"checkout\",\"body\":\"card declined\","
                + "\"attributes\":{\"order\":\"43\",\"user\":\"Ann Lee\"},"
                + "\"resource\":{\"host.name\":\"h1\",\"service.name\":\"checkout\"},"
                + "\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\","
                + "\"span_id\":\"b7ad6b7169203331\"}"
                + otlpHeader,
            "{\"offset\":2,\"timestamp_ms\":1796497202300,\"key\":null,\"log\":{"
                + "\"time\":\"2026-12-05T19:00:02.300Z\",\"severity\":\"ERROR\","
                + "\"severity_number\":17,\"service\":\"payments\","
                + "\"body\":\"payment failed\\n\\tat Pay.run(Pay.java:7)\","
                + "\"attributes\":{\"order\":\"43\"},\"resource\":{\"service.name\":\"payments\"}}"
                + ",\"headers\":[{\"key\":\"content-type\",\"value\":\"application/json\"}]}",
            "{\"offset\":3,\"timestamp_ms\":1796497203000,\"key\":null,"
                + "\"value\":\"2026-12-05 19:00:03 WARN disk almost full\"}",
            "{\"offset\":4,\"timestamp_ms\":1796497204000,\"key\":null,"
                + "\"value\":\"a line with no level\"}",
            "{\"offset\":5,\"timestamp_ms\":1796497205000,\"key\":null,\"value_base64\":\"Cv8=\""
                + otlpHeader,
            "{\"offset\":6,\"timestamp_ms\":1796497206000,\"key\":null,\"log\":{"
                + "\"time\":\"2026-12-05T19:00:06Z\",\"severity\":\"DEBUG\","
                + "\"severity_number\":5,\"service\":\"checkout\",\"body\":\"cache miss\","
                + "\"attributes\":{\"order\":\"44\"},"
                + "\"resource\":{\"host.name\":\"h1\",\"service.name\":\"checkout\"}}"
                + otlpHeader),
        r.outLines(),
        r::toString);
  }

  @Test
  void severityKeepsThatLevelAndAboveSniffsTextLinesAndKeepsLinesWithNoLevel() {
    Cli.Result r = consume("--from", "0", "--format", "log", "--severity", "warn");
    assertOkWithTheUnreadableWarning(r, UNREADABLE);
    assertEquals(lines(1, 2, 3, 4), r.outLines(), r::toString);

    Cli.Result text = consume("--from", "0", "--severity", "ERROR");
    assertOkWithTheUnreadableWarning(text, UNREADABLE);
    assertEquals(
        List.of(LogJson.write(PAYMENT), "a line with no level"), text.outLines(), text::toString);
  }

  @Test
  void whereMatchesAttributesThenTheResourceAllConditionsTogether() {
    Cli.Result order = consume("--from", "0", "--format", "log", "--where", "order=43");
    assertOkWithTheUnreadableWarning(order, UNREADABLE);
    assertEquals(lines(1, 2), order.outLines(), order::toString);

    Cli.Result both =
        consume(
            "--from", "0", "--format", "log", "--where", "service=checkout", "--where", "order=42");
    assertEquals(lines(0), both.outLines(), both::toString);

    Cli.Result withSeverity =
        consume("--from", "0", "--format", "log", "--where", "host.name=h1", "--severity", "INFO");
    assertEquals(lines(0, 1), withSeverity.outLines(), withSeverity::toString);
  }

  @Test
  void followAppliesTheFiltersAndMaxCountsPrintedLogs() {
    Cli.Result r =
        consume("--from", "0", "--follow", "--format", "log", "--severity", "ERROR", "--max", "2");
    assertEquals(0, r.exitCode(), r::toString);
    assertEquals(lines(2, 4), r.outLines(), r::toString);
  }

  @Test
  void namedConsumerCommitsPastWhatTheFiltersLeftOut() {
    Cli.Result first =
        consume("--consumer", "alerts", "--format", "log", "--severity", "WARN", "--max", "1");
    assertEquals(lines(1), first.outLines(), first::toString);
    assertEquals(2, committed("alerts"), "committed right after the one printed");

    Cli.Result second = consume("--consumer", "alerts", "--format", "log", "--where", "order=43");
    assertOkWithTheUnreadableWarning(second, UNREADABLE);
    assertEquals(lines(2), second.outLines(), second::toString);
    assertEquals(7, committed("alerts"), "committed past every record read, printed or not");

    Cli.Result third = consume("--consumer", "alerts", "--format", "log");
    assertEquals(List.of(), third.outLines(), "nothing read is offered again: " + third);
  }

  static long committed(String consumer) {
    try (RaftlogClient client = RaftlogClient.builder().servers(servers).build()) {
      return client.getConsumer(STREAM, consumer).getCommittedOffset();
    }
  }

  @Test
  void badFilterSaysWhatItTakes() {
    Cli.Result where = consume("--from", "0", "--where", "order");
    assertEquals(2, where.exitCode(), where::toString);
    assertTrue(
        where
            .err()
            .startsWith(
                "--where: 'order' is not KEY=VALUE (e.g. service=checkout, http.status=500)\n"),
        where::toString);
    Cli.Result severity = consume("--from", "0", "--severity", "loud");
    assertEquals(2, severity.exitCode(), severity::toString);
    assertTrue(
        severity.err().contains("'loud' is no level: TRACE, DEBUG, INFO, WARN, ERROR or FATAL"),
        severity::toString);
  }
}
