package io.raftlog.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.InProcessCluster;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OTLP/HTTP ({@code POST /v1/logs}) against real nodes: the OpenTelemetry SDK's own
 * OtlpHttpLogRecordExporter (http/protobuf, the default of many SDKs) delivers every record in
 * order; an OTLP/JSON body written by hand as the spec's example is, hex ids and all, reads back
 * with the ids intact; and the HTTP rules of the spec (POST only, the two media types, gzip, the
 * body limit).
 */
class OtlpHttpTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static String node; // a follower: what it does not lead, it forwards

  @BeforeAll
  static void start() {
    cluster =
        InProcessCluster.start(
            dir,
            3,
            Map.of("cluster.shards", "2", "http.port", ClusterLayout.HTTP_PORT_FREE),
            RaftlogServer::start);
    cluster.awaitShardLeaders();
    node = cluster.aFollower();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theSdksHttpProtobufExporterDeliversEveryRecordInOrder() {
    int n = 1000;
    OtlpHttpLogRecordExporter exporter =
        OtlpHttpLogRecordExporter.builder()
            .setEndpoint("http://" + cluster.httpAddress(node) + "/v1/logs")
            .setTimeout(java.time.Duration.ofSeconds(20))
            .build();
    SdkLoggerProvider provider =
        SdkLoggerProvider.builder()
            .setResource(
                io.opentelemetry.sdk.resources.Resource.create(
                    Attributes.of(AttributeKey.stringKey("service.name"), "http-sdk")))
            .addLogRecordProcessor(
                BatchLogRecordProcessor.builder(exporter)
                    .setMaxExportBatchSize(128) // 8 exports, each one batch per shard
                    .setMaxQueueSize(2 * n)
                    .build())
            .build();
    Logger logger = provider.get("otlp-http-test");
    for (int i = 0; i < n; i++) {
      logger
          .logRecordBuilder()
          .setBody("line " + i)
          .setSeverity(io.opentelemetry.api.logs.Severity.INFO)
          .setAttribute(AttributeKey.longKey("i"), (long) i)
          .emit();
    }
    CompletableResultCode flushed = provider.forceFlush().join(30, TimeUnit.SECONDS);
    assertTrue(flushed.isSuccess(), "the exporter's flush failed");
    provider.shutdown().join(10, TimeUnit.SECONDS);

    List<String> expected = IntStream.range(0, n).mapToObj(i -> "line " + i).toList();
    assertEquals(expected, StoredLogs.bodies(cluster, cluster.aFollower(), "logs.http-sdk"));
  }

  /** The spec's example log record (opentelemetry-proto examples/logs.json), as OTLP/JSON. */
  static final String JSON_EXPORT =
      """
      {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"http-json"}}]},
       "scopeLogs":[{"scope":{"name":"my.library","version":"1.0.0"},
        "logRecords":[{"timeUnixNano":"1544712660300000000","observedTimeUnixNano":"1544712660300000000",
         "severityNumber":10,"severityText":"Information",
         "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174",
         "body":{"stringValue":"Example log record"},
         "attributes":[{"key":"string.attribute","value":{"stringValue":"some string"}},
          {"key":"int.attribute","value":{"intValue":"10"}}]}]}]}]}
      """;

  @Test
  void anOtlpJsonExportWithHexIdsReadsBackWithTheIdsIntact() throws Exception {
    HttpResponse<byte[]> r = OtlpHttp.postJson(cluster.httpAddress(node), JSON_EXPORT);
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(OtlpHttp.JSON, r.headers().firstValue("Content-Type").orElse(""));
    assertEquals("{}", new String(r.body(), StandardCharsets.UTF_8)); // no partial_success

    List<Record> stored = StoredLogs.records(cluster, cluster.aFollower(), "logs.http-json");
    assertEquals(1, stored.size());
    LogRecord log = StoredLogs.log(stored.get(0));
    assertEquals(
        "5b8efff798038103d269b633813fc60c",
        HexFormat.of().formatHex(log.getTraceId().toByteArray()));
    assertEquals("eee19b7ec3c1b174", HexFormat.of().formatHex(log.getSpanId().toByteArray()));
    assertEquals(10, log.getSeverityNumberValue());
    assertEquals("Example log record", log.getBody().getStringValue());
    assertEquals(10, log.getAttributes(1).getValue().getIntValue());
    assertEquals(1544712660300L, stored.get(0).getTimestampMs());
    assertEquals(
        "my.library", StoredLogs.resourceLogs(stored.get(0)).getScopeLogs(0).getScope().getName());
  }

  static byte[] export(String service, String... bodies) {
    ScopeLogs.Builder scope = ScopeLogs.newBuilder();
    for (String b : bodies) {
      scope.addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue(b)));
    }
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(
                            KeyValue.newBuilder()
                                .setKey("service.name")
                                .setValue(AnyValue.newBuilder().setStringValue(service))))
                .addScopeLogs(scope))
        .build()
        .toByteArray();
  }

  @Test
  void aGzippedBodyIsTakenAndACorruptOneIs400() throws Exception {
    HttpResponse<byte[]> ok =
        OtlpHttp.send(
            HttpRequest.newBuilder(URI.create("http://" + cluster.httpAddress(node) + "/v1/logs"))
                .header("Content-Type", OtlpHttp.PROTOBUF)
                .header("Content-Encoding", "gzip")
                .POST(
                    HttpRequest.BodyPublishers.ofByteArray(
                        OtlpHttp.gzip(export("http-gzip", "zipped")))));
    assertEquals(200, ok.statusCode());
    assertEquals(OtlpHttp.PROTOBUF, ok.headers().firstValue("Content-Type").orElse(""));
    assertEquals(
        ExportLogsServiceResponse.getDefaultInstance(),
        ExportLogsServiceResponse.parseFrom(ok.body()));
    assertEquals(List.of("zipped"), StoredLogs.bodies(cluster, node, "logs.http-gzip"));

    HttpResponse<byte[]> corrupt =
        OtlpHttp.send(
            HttpRequest.newBuilder(URI.create("http://" + cluster.httpAddress(node) + "/v1/logs"))
                .header("Content-Type", OtlpHttp.PROTOBUF)
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(export("http-gzip", "not zipped"))));
    assertEquals(400, corrupt.statusCode());
    assertTrue(
        OtlpHttp.status(corrupt).getMessage().contains("not valid gzip"),
        OtlpHttp.status(corrupt).getMessage());
  }

  @Test
  void onlyPostOfTheTwoMediaTypesIsServed() throws Exception {
    String url = "http://" + cluster.httpAddress(node) + "/v1/logs";
    HttpResponse<byte[]> get = OtlpHttp.send(HttpRequest.newBuilder(URI.create(url)).GET());
    assertEquals(405, get.statusCode());
    assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
    assertTrue(OtlpHttp.status(get).getMessage().contains("POST"));

    HttpResponse<byte[]> text =
        OtlpHttp.post(cluster.httpAddress(node), "text/plain", new byte[] {1});
    assertEquals(415, text.statusCode());
    assertTrue(OtlpHttp.status(text).getMessage().contains("application/x-protobuf"));

    HttpResponse<byte[]> brotli =
        OtlpHttp.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", OtlpHttp.PROTOBUF)
                .header("Content-Encoding", "br")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1})));
    assertEquals(415, brotli.statusCode());

    HttpResponse<byte[]> traces =
        OtlpHttp.send(
            HttpRequest.newBuilder(URI.create("http://" + cluster.httpAddress(node) + "/v1/traces"))
                .header("Content-Type", OtlpHttp.PROTOBUF)
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[0])));
    assertEquals(404, traces.statusCode());
    assertTrue(OtlpHttp.status(traces).getMessage().contains("no traces or metrics"));

    // Parameters of the media type are fine.
    HttpResponse<byte[]> charset =
        OtlpHttp.post(
            cluster.httpAddress(node), "application/json; charset=utf-8", "{}".getBytes());
    assertEquals(200, charset.statusCode());
  }

  @Test
  void aBodyOverTheLimitIs413EvenWhenItOnlyGrowsOnceGunzipped() throws Exception {
    int limit = (4 << 20) + (1 << 20); // log.max-batch-bytes + 1 MiB
    byte[] big = new byte[limit + 1];
    HttpResponse<byte[]> plain = OtlpHttp.post(cluster.httpAddress(node), OtlpHttp.PROTOBUF, big);
    assertEquals(413, plain.statusCode());
    assertTrue(
        OtlpHttp.status(plain).getMessage().contains("over the limit"),
        OtlpHttp.status(plain).getMessage());

    HttpResponse<byte[]> bomb =
        OtlpHttp.send(
            HttpRequest.newBuilder(URI.create("http://" + cluster.httpAddress(node) + "/v1/logs"))
                .header("Content-Type", OtlpHttp.PROTOBUF)
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpHttp.gzip(new byte[8 * limit]))));
    assertEquals(413, bomb.statusCode());
    assertTrue(
        OtlpHttp.status(bomb).getMessage().contains("once gunzipped"),
        OtlpHttp.status(bomb).getMessage());
  }
}
