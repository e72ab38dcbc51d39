package io.raftlog.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.config.ConfigKeys;
import io.raftlog.otlp.LogStreamNames;
import io.raftlog.otlp.LogValues;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OTLP/gRPC logs endpoint of a real node (one node, six shards, RocksDB, gRPC on loopback), as
 * an exporter sees it: where each log record goes, what its record holds, how a retried export is
 * answered, and which problems are partial success and which a status. {@code streams.auto-create}
 * is off so that a missing stream can be shown; each test creates its streams.
 */
class LogsIngestTest {
  static final int MAX_RECORD = 4096;
  static final int MAX_BATCH = 64 * 1024;

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static String node;
  static LogsServiceGrpc.LogsServiceBlockingStub otlp;

  @BeforeAll
  static void start() {
    cluster =
        InProcessCluster.start(
            dir,
            1,
            Map.of(
                ConfigKeys.STREAMS_AUTO_CREATE.name(), "false",
                ConfigKeys.MAX_RECORD_BYTES.name(), String.valueOf(MAX_RECORD),
                ConfigKeys.MAX_BATCH_BYTES.name(), String.valueOf(MAX_BATCH)),
            RaftlogServer::start);
    node = cluster.ids().get(0);
    otlp = LogsServiceGrpc.newBlockingStub(cluster.channel(node));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void eachServiceGoesToItsStreamWithNamesMadeValid() {
    create("logs.checkout", "logs.pay_ment/caf__", "logs.unknown_service");
    ExportLogsServiceRequest export =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(resourceLogs(resource("checkout"), log("a"), log("b")))
            .addResourceLogs(resourceLogs(resource("pay ment/café!"), log("c")))
            .addResourceLogs(resourceLogs(Resource.getDefaultInstance(), log("d")))
            .build();

    assertEquals(ExportLogsServiceResponse.getDefaultInstance(), export(export));

    assertEquals(List.of("a", "b"), bodies("logs.checkout"));
    assertEquals(List.of("c"), bodies("logs.pay_ment/caf__"));
    assertEquals(List.of("d"), bodies("logs.unknown_service"));
  }

  @Test
  void aRecordIsTheLogWithItsResourceAndScopeAndTheLogsTime() throws Exception {
    create("logs.kept");
    Resource resource =
        resource("kept").toBuilder().addAttributes(attr("host.name", "web-1")).build();
    InstrumentationScope scope =
        InstrumentationScope.newBuilder()
            .setName("com.example.Cart")
            .setVersion("1.2")
            .addAttributes(attr("scope.attr", "s"))
            .build();
    LogRecord timed =
        log("card declined").toBuilder()
            .setTimeUnixNano(1_733_400_000_123_456_789L)
            .setObservedTimeUnixNano(1_733_400_001_000_000_000L)
            .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN)
            .setSeverityText("WARN")
            .addAttributes(attr("order", "42"))
            .setTraceId(
                ByteString.copyFrom(
                    new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
            .build();
    LogRecord observedOnly = log("observed").toBuilder().setObservedTimeUnixNano(2_000_000).build();
    LogRecord untimed = log("untimed");
    ResourceLogs rl =
        ResourceLogs.newBuilder()
            .setResource(resource)
            .setSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
            .addScopeLogs(
                ScopeLogs.newBuilder()
                    .setScope(scope)
                    .setSchemaUrl("https://opentelemetry.io/schemas/1.25.0")
                    .addLogRecords(timed)
                    .addLogRecords(observedOnly)
                    .addLogRecords(untimed))
            .build();
    long before = System.currentTimeMillis();

    export(ExportLogsServiceRequest.newBuilder().addResourceLogs(rl).build());

    List<Record> records = read("logs.kept");
    assertEquals(3, records.size());
    ResourceLogs kept = ResourceLogs.parseFrom(records.get(0).getValue());
    assertEquals(resource, kept.getResource());
    assertEquals(rl.getSchemaUrl(), kept.getSchemaUrl());
    assertEquals(scope, kept.getScopeLogs(0).getScope());
    assertEquals(rl.getScopeLogs(0).getSchemaUrl(), kept.getScopeLogs(0).getSchemaUrl());
    assertEquals(List.of(timed), kept.getScopeLogs(0).getLogRecordsList());
    assertEquals(LogValues.OTLP, LogValues.contentType(records.get(0)));
    assertEquals(1_733_400_000_123L, records.get(0).getTimestampMs(), "the log's time");
    assertEquals(2, records.get(1).getTimestampMs(), "observed time when it has no time");
    assertTrue(records.get(2).getTimestampMs() >= before, "the leader's time when it has none");
  }

  @Test
  void aRetriedExportIsAppendedOnce() {
    create("logs.retried");
    ExportLogsServiceRequest export =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(resourceLogs(resource("retried"), log("x", 1), log("y", 2)))
            .build();

    export(export);
    export(export); // an exporter's retry after an answer it never got

    assertEquals(List.of("x", "y"), bodies("logs.retried"));
  }

  /**
   * An export whose batch for one shard was appended and whose batch for another was not (the
   * second shard's leader died: UNAVAILABLE for the export): its retry appends the missing batch
   * and recognises the appended one.
   */
  @Test
  void aRetryAfterOneShardAppendedAppendsOnlyTheRest() {
    String first = "logs.half-a";
    String second = otherShard(first, "logs.half-b");
    create(first, second);
    ResourceLogs firstLogs = resourceLogs(resource("half-a"), log("a1", 1), log("a2", 2));
    ResourceLogs secondLogs = resourceLogs(resource(service(second)), log("b1", 3));

    // What the first try appended: the first shard's batch, exactly as the whole export cuts it.
    export(ExportLogsServiceRequest.newBuilder().addResourceLogs(firstLogs).build());
    export(
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(firstLogs)
            .addResourceLogs(secondLogs)
            .build());

    assertEquals(List.of("a1", "a2"), bodies(first));
    assertEquals(List.of("b1"), bodies(second));
  }

  @Test
  void aRecordOverTheLimitIsRejectedAndTheRestAppended() {
    create("logs.big");
    ExportLogsServiceRequest export =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(
                resourceLogs(
                    resource("big"), log("before"), log("x".repeat(MAX_RECORD)), log("after")))
            .build();

    ExportLogsServiceResponse answer = export(export);

    assertEquals(1, answer.getPartialSuccess().getRejectedLogRecords());
    String why = answer.getPartialSuccess().getErrorMessage();
    assertTrue(why.contains("log.max-record-bytes") && why.contains("log record 1"), why);
    assertEquals(List.of("before", "after"), bodies("logs.big"));
  }

  @Test
  void aMissingStreamIsPartialSuccessAndTheOtherShardsAppend() {
    String present = otherShard("logs.absent", "logs.present");
    create(present);
    ExportLogsServiceRequest export =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(resourceLogs(resource("absent"), log("lost 1"), log("lost 2")))
            .addResourceLogs(resourceLogs(resource(service(present)), log("kept")))
            .build();

    ExportLogsServiceResponse answer = export(export);

    assertEquals(2, answer.getPartialSuccess().getRejectedLogRecords());
    String why = answer.getPartialSuccess().getErrorMessage();
    assertTrue(why.contains("logs.absent") && why.contains("does not exist"), why);
    assertEquals(List.of("kept"), bodies(present));
  }

  @Test
  void aShardBatchOverTheBatchLimitIsRefusedWholeAndNothingAppended() {
    create("logs.flood");
    ResourceLogs.Builder many = resourceLogs(resource("flood")).toBuilder();
    for (int i = 0; i * 1000 < 2 * MAX_BATCH; i++) {
      many.getScopeLogsBuilder(0).addLogRecords(log("y".repeat(1000)));
    }
    ExportLogsServiceRequest export =
        ExportLogsServiceRequest.newBuilder().addResourceLogs(many).build();

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> export(export));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    String why = e.getStatus().getDescription();
    assertTrue(why.contains("log.max-batch-bytes") && why.contains("batch size"), why);
    assertEquals(List.of(), bodies("logs.flood"));
  }

  @Test
  void anEmptyExportIsASuccess() {
    assertEquals(
        ExportLogsServiceResponse.getDefaultInstance(),
        export(ExportLogsServiceRequest.getDefaultInstance()));
  }

  @Test
  void theProducerIdIsTheContentsHash() {
    var a = producerId(resourceLogs(resource("h"), log("same", 1)));
    var b = producerId(resourceLogs(resource("h"), log("same", 1)));
    var c = producerId(resourceLogs(resource("h"), log("same", 2)));
    assertEquals(a, b);
    assertNotEquals(a, c, "another timestamp is another batch");
    assertNotEquals(0, a);
    assertNotEquals(a, producerId(resourceLogs(resource("i"), log("same", 1))), "another stream");
  }

  /** The producer id of one resource's logs, cut as the node cuts them. */
  static long producerId(ResourceLogs rl) {
    return ShardBatches.cut(
            ExportLogsServiceRequest.newBuilder().addResourceLogs(rl).build(),
            new LogStreamNames(LogStreamNames.DEFAULT_PATTERN),
            stream -> 0,
            MAX_RECORD,
            MAX_BATCH)
        .batches()
        .get(0)
        .request()
        .getProducerId();
  }

  // --- helpers ---

  /**
   * {@code name}, or {@code name} with a number added, so that it lives in another shard than
   * {@code stream}.
   */
  static String otherShard(String stream, String name) {
    RaftlogServer server = cluster.node(node);
    String other = name;
    for (int i = 0; server.shardOf(other) == server.shardOf(stream); i++) {
      other = name + i;
    }
    return other;
  }

  /** The service whose logs go to {@code stream} (under the default pattern). */
  static String service(String stream) {
    return stream.substring("logs.".length());
  }

  static ExportLogsServiceResponse export(ExportLogsServiceRequest export) {
    return otlp.withDeadlineAfter(10, TimeUnit.SECONDS).export(export);
  }

  static void create(String... streams) {
    for (String s : streams) {
      cluster
          .blocking(node)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .createStream(CreateStreamRequest.newBuilder().setStream(s).build());
    }
  }

  /** Every record of {@code stream}, read back on the node the exports went to. */
  static List<Record> read(String stream) {
    return StoredLogs.records(cluster, node, stream);
  }

  /** The bodies of {@code stream}'s OTLP records, in offset order. */
  static List<String> bodies(String stream) {
    return StoredLogs.bodies(cluster, node, stream);
  }

  static Resource resource(String service) {
    return Resource.newBuilder().addAttributes(attr("service.name", service)).build();
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static LogRecord log(String body) {
    return LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue(body)).build();
  }

  static LogRecord log(String body, long timeMs) {
    return log(body).toBuilder().setTimeUnixNano(timeMs * 1_000_000).build();
  }

  static ResourceLogs resourceLogs(Resource resource, LogRecord... logs) {
    return ResourceLogs.newBuilder()
        .setResource(resource)
        .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(logs)))
        .build();
  }
}
