package io.raftlog.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.InProcessCluster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad OTLP input on both transports (gRPC {@code LogsService/Export}, HTTP {@code /v1/logs} in
 * protobuf and JSON), against one real cluster: each gets a precise status or a partial success,
 * never gRPC's INTERNAL or a hang, and after all of them every record that was acknowledged reads
 * back, in order, once. Each transport writes its own streams (the service name carries the
 * transport), since the same export twice is recognised as a retry and appended once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OtlpBadInputTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static String grpcNode;
  static String httpNode;

  /** Every stream an acknowledged export wrote, with the bodies it must hold, in order. */
  static final Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() {
    cluster =
        InProcessCluster.start(
            dir,
            3,
            Map.of("cluster.shards", "2", "http.port", ClusterLayout.HTTP_PORT_FREE),
            RaftlogServer::start);
    cluster.awaitShardLeaders();
    grpcNode = cluster.aFollower();
    httpNode = cluster.ids().stream().filter(id -> !id.equals(grpcNode)).findFirst().orElseThrow();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** What an export came to: the response, or the failure's code (gRPC or HTTP) and message. */
  record Answer(ExportLogsServiceResponse response, String code, String message) {
    boolean ok() {
      return response != null;
    }

    long rejected() {
      return response.getPartialSuccess().getRejectedLogRecords();
    }
  }

  enum Transport {
    GRPC,
    HTTP_PROTOBUF,
    HTTP_JSON;

    String tag() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    Answer export(ExportLogsServiceRequest request) throws Exception {
      return this == HTTP_JSON
          ? exportBytes(JsonFormat.printer().print(request).getBytes(StandardCharsets.UTF_8))
          : exportBytes(request.toByteArray());
    }

    Answer exportBytes(byte[] body) throws Exception {
      if (this == GRPC) {
        try {
          byte[] answer =
              ClientCalls.blockingUnaryCall(
                  cluster.channel(grpcNode),
                  RAW_EXPORT,
                  CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS),
                  body);
          return new Answer(ExportLogsServiceResponse.parseFrom(answer), "OK", null);
        } catch (StatusRuntimeException e) {
          return new Answer(
              null, e.getStatus().getCode().name(), String.valueOf(e.getStatus().getDescription()));
        }
      }
      HttpResponse<byte[]> r =
          OtlpHttp.post(
              cluster.httpAddress(httpNode),
              this == HTTP_JSON ? OtlpHttp.JSON : OtlpHttp.PROTOBUF,
              body);
      if (r.statusCode() == 200) {
        ExportLogsServiceResponse.Builder b = ExportLogsServiceResponse.newBuilder();
        if (this == HTTP_JSON) {
          JsonFormat.parser().merge(new String(r.body(), StandardCharsets.UTF_8), b);
        } else {
          b.mergeFrom(r.body());
        }
        return new Answer(b.build(), "200", null);
      }
      return new Answer(null, Integer.toString(r.statusCode()), OtlpHttp.status(r).getMessage());
    }
  }

  static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  /** LogsService/Export with the request's bytes as they are: what a broken client sends. */
  static final MethodDescriptor<byte[], byte[]> RAW_EXPORT =
      LogsServiceGrpc.getExportMethod().toBuilder(RAW, RAW).build();

  static AnyValue string(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  static ResourceLogs.Builder resource(String service) {
    return ResourceLogs.newBuilder()
        .setResource(
            Resource.newBuilder()
                .addAttributes(
                    KeyValue.newBuilder().setKey("service.name").setValue(string(service))));
  }

  static ExportLogsServiceRequest export(String service, List<LogRecord> logs) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            resource(service).addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(logs)))
        .build();
  }

  static LogRecord log(String body) {
    return LogRecord.newBuilder().setBody(string(body)).setTimeUnixNano(System.nanoTime()).build();
  }

  @Test
  @Order(1)
  void anEmptyExportIsASuccess() throws Exception {
    for (Transport t : Transport.values()) {
      Answer a =
          t == Transport.HTTP_JSON
              ? t.exportBytes("{}".getBytes(StandardCharsets.UTF_8))
              : t.exportBytes(new byte[0]);
      assertTrue(a.ok(), t + ": " + a);
      assertFalse(a.response().hasPartialSuccess(), t + ": " + a);
    }
  }

  @Test
  @Order(2)
  void aRecordWithNeitherBodyNorTimeIsKeptAndTheLeaderStampsIt() throws Exception {
    long before = System.currentTimeMillis();
    for (Transport t : Transport.values()) {
      String service = "empty-record-" + t.tag();
      Answer a = t.export(export(service, List.of(LogRecord.getDefaultInstance())));
      assertTrue(a.ok() && !a.response().hasPartialSuccess(), t + ": " + a);
      List<Record> stored = StoredLogs.records(cluster, grpcNode, "logs." + service);
      assertEquals(1, stored.size(), t.toString());
      assertTrue(stored.get(0).getTimestampMs() >= before, t + ": " + stored.get(0));
      assertEquals(LogRecord.getDefaultInstance(), StoredLogs.log(stored.get(0)));
    }
  }

  @Test
  @Order(3)
  void aHugeAttributeRejectsItsRecordAloneAsAPartialSuccess() throws Exception {
    String huge = "x".repeat((1 << 20) + 1000); // over log.max-record-bytes (1 MiB)
    for (Transport t : Transport.values()) {
      String service = "huge-attribute-" + t.tag();
      LogRecord hugeLog =
          log("huge").toBuilder()
              .addAttributes(KeyValue.newBuilder().setKey("payload").setValue(string(huge)))
              .build();
      Answer a = t.export(export(service, List.of(log("before"), hugeLog, log("after"))));
      assertTrue(a.ok(), t + ": " + a);
      assertEquals(1, a.rejected(), t + ": " + a);
      String why = a.response().getPartialSuccess().getErrorMessage();
      assertTrue(why.contains("log.max-record-bytes"), t + ": " + why);
      acknowledged.put("logs." + service, List.of("before", "after"));
    }
  }

  /** A valid export whose one body's "é" has its second byte broken: no longer UTF-8. */
  static byte[] notUtf8() {
    byte[] bytes = export("not-utf8", List.of(log("caf\u00e9"))).toByteArray();
    for (int i = 0; i + 1 < bytes.length; i++) {
      if ((bytes[i] & 0xff) == 0xc3 && (bytes[i + 1] & 0xff) == 0xa9) {
        bytes[i + 1] = 0x28;
        return bytes;
      }
    }
    throw new AssertionError("no é in the export");
  }

  @Test
  @Order(4)
  void aStringThatIsNotUtf8IsInvalidArgumentNamingIt() throws Exception {
    Answer grpc = Transport.GRPC.exportBytes(notUtf8());
    assertEquals("INVALID_ARGUMENT", grpc.code(), grpc.toString()); // gRPC alone: UNKNOWN
    assertTrue(grpc.message().contains("UTF-8"), grpc.message());
    assertTrue(grpc.message().contains("ExportLogsServiceRequest"), grpc.message());

    Answer protobuf = Transport.HTTP_PROTOBUF.exportBytes(notUtf8());
    assertEquals("400", protobuf.code(), protobuf.toString());
    assertTrue(protobuf.message().contains("invalid UTF-8"), protobuf.message());
    assertTrue(protobuf.message().contains("at byte"), protobuf.message());

    byte[] json =
        "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"caf\u00e9\"}}]}]}]}"
            .getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + 1 < json.length; i++) {
      if ((json[i] & 0xff) == 0xc3) {
        json[i + 1] = 0x28;
      }
    }
    Answer jsonAnswer = Transport.HTTP_JSON.exportBytes(json);
    assertEquals("400", jsonAnswer.code(), jsonAnswer.toString());
    assertTrue(jsonAnswer.message().contains("not UTF-8"), jsonAnswer.message());

    assertEquals(List.of(), StoredLogs.records(cluster, grpcNode, "logs.not-utf8"));
    assertEquals(List.of(), StoredLogs.records(cluster, grpcNode, "logs.unknown_service"));
  }

  @Test
  @Order(5)
  void malformedBytesAndJsonAre400SayingWhereTheyBroke() throws Exception {
    byte[] whole = export("malformed", List.of(log("cut short"))).toByteArray();
    Answer cut =
        Transport.HTTP_PROTOBUF.exportBytes(java.util.Arrays.copyOf(whole, whole.length - 3));
    assertEquals("400", cut.code(), cut.toString());
    assertTrue(cut.message().contains("at byte 2 of " + (whole.length - 3)), cut.message());

    Answer syntax = Transport.HTTP_JSON.exportBytes("{\"resourceLogs\":[{]}".getBytes());
    assertEquals("400", syntax.code(), syntax.toString());
    assertTrue(
        syntax.message().contains("malformed JSON at line 1 column 20 path $.resourceLogs[0]"),
        syntax.message());

    Answer base64Id =
        Transport.HTTP_JSON.exportBytes(
            "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":\"W47/95gDgQPSabYzgT/GDA==\"}]}]}]}"
                .getBytes());
    assertEquals("400", base64Id.code(), base64Id.toString());
    assertTrue(
        base64Id.message().startsWith("resourceLogs[0].scopeLogs[0].logRecords[0].traceId is"),
        base64Id.message());

    Answer wrongType =
        Transport.HTTP_JSON.exportBytes(
            "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"soon\"}]}]}]}"
                .getBytes());
    assertEquals("400", wrongType.code(), wrongType.toString());
    assertTrue(wrongType.message().contains("\"soon\""), wrongType.message());
  }

  @Test
  @Order(6)
  void aHundredThousandRecordsInOneExportAreAllOrNothingWithAPreciseStatus() throws Exception {
    int n = 100_000;
    for (Transport t : Transport.values()) {
      String service = "many-" + t.tag();
      List<String> bodies = IntStream.range(0, n).mapToObj(i -> "r" + i).toList();
      List<LogRecord> logs = new ArrayList<>(n);
      bodies.forEach(b -> logs.add(LogRecord.newBuilder().setBody(string(b)).build()));
      Answer a = t.export(export(service, logs));
      List<String> stored = StoredLogs.bodies(cluster, grpcNode, "logs." + service);
      if (a.ok()) {
        assertEquals(0, a.rejected(), t + ": " + a);
        assertEquals(bodies, stored, t.toString());
        acknowledged.put("logs." + service, bodies);
      } else {
        // One shard's records are over log.max-batch-bytes (gRPC: INVALID_ARGUMENT, HTTP: 400),
        // or the JSON body over the body limit (413): a precise refusal, nothing appended.
        assertTrue(List.of("INVALID_ARGUMENT", "400", "413").contains(a.code()), t + ": " + a);
        assertTrue(a.message().contains("limit"), t + ": " + a);
        assertEquals(List.of(), stored, t.toString());
      }
    }
  }

  @Test
  @Order(7)
  void unknownFieldsAreAcceptedAndKeptInTheStoredValue() throws Exception {
    // Field 12 is LogRecord.event_name in OTLP versions newer than the one the node is built with.
    UnknownFieldSet eventName =
        UnknownFieldSet.newBuilder()
            .addField(
                12,
                UnknownFieldSet.Field.newBuilder()
                    .addLengthDelimited(ByteString.copyFromUtf8("checkout.done"))
                    .build())
            .build();
    for (Transport t : List.of(Transport.GRPC, Transport.HTTP_PROTOBUF)) {
      String service = "unknown-fields-" + t.tag();
      LogRecord newer = log("newer").toBuilder().setUnknownFields(eventName).build();
      Answer a = t.export(export(service, List.of(newer)));
      assertTrue(a.ok() && !a.response().hasPartialSuccess(), t + ": " + a);
      List<Record> stored = StoredLogs.records(cluster, grpcNode, "logs." + service);
      assertEquals(eventName, StoredLogs.log(stored.get(0)).getUnknownFields(), t.toString());
      acknowledged.put("logs." + service, List.of("newer"));
    }
    // OTLP/JSON receivers MUST ignore fields of unknown names (the spec): accepted, not kept.
    Answer json =
        Transport.HTTP_JSON.exportBytes(
            ("{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                    + "\"value\":{\"stringValue\":\"unknown-fields-json\"}}]},\"scopeLogs\":[{"
                    + "\"logRecords\":[{\"eventName\":\"checkout.done\",\"body\":{\"stringValue\":"
                    + "\"newer\"}}]}]}]}")
                .getBytes(StandardCharsets.UTF_8));
    assertTrue(json.ok() && !json.response().hasPartialSuccess(), json.toString());
    acknowledged.put("logs.unknown-fields-json", List.of("newer"));
  }

  @Test
  @Order(100)
  void everythingAcknowledgedReadsBackInOrderOnce() throws InvalidProtocolBufferException {
    assertFalse(acknowledged.isEmpty());
    for (String id : cluster.ids()) {
      for (Map.Entry<String, List<String>> e : acknowledged.entrySet()) {
        assertEquals(
            e.getValue(), StoredLogs.bodies(cluster, id, e.getKey()), id + " " + e.getKey());
      }
    }
  }
}
