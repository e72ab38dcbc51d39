package io.raftlog.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.client.Producer;
import io.raftlog.client.RaftlogClient;
import io.raftlog.otlp.LogValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * OTLP ingest against the Produce API on the same log records (issue 23), run by {@code
 * scripts/otlp-bench.sh} against a running cluster: the OpenTelemetry Java SDK (its {@code
 * BatchLogRecordProcessor} and OTLP/gRPC exporter, one export at a time, BATCH records each)
 * sending to the leader of its stream's shard, and the Java client's {@code Producer} sending the
 * very records the node stores for those logs ({@link LogValues#otlp}). Each run writes RECORDS
 * logs into a stream of its own, created first; a warm-up run of each goes first; then the two
 * alternate. Prints one line per run and the medians; checks each stream holds RECORDS records.
 *
 * <p>Lives in the bench module because the build already has there what it needs together: the
 * client, the node's OTLP messages and (added for this) the OpenTelemetry SDK; and it stays out of
 * CI like the JMH benchmarks. Usage: {@code OtlpIngestBench SERVERS RECORDS RUNS BATCH}.
 */
public final class OtlpIngestBench {
  private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");

  private OtlpIngestBench() {}

  public static void main(String[] args) throws Exception {
    List<String> servers = List.of(args[0].split(","));
    int records = Integer.parseInt(args[1]);
    int runs = Integer.parseInt(args[2]);
    int batch = Integer.parseInt(args[3]);
    ManagedChannel admin = NettyChannelBuilder.forTarget(servers.get(0)).usePlaintext().build();
    LogGrpc.LogBlockingStub stub = LogGrpc.newBlockingStub(admin);
    String tag = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    try (RaftlogClient client = RaftlogClient.builder().servers(servers).build()) {
      run(stub, client, "otlp", "warmup-otlp-" + tag, records / 5, batch);
      run(stub, client, "produce", "warmup-produce-" + tag, records / 5, batch);
      List<Double> otlp = new ArrayList<>();
      List<Double> produce = new ArrayList<>();
      for (int i = 1; i <= runs; i++) {
        // Alternated, the order flipped each round, so drift in the machine's load hits both.
        boolean otlpFirst = i % 2 == 1;
        for (String mode : otlpFirst ? List.of("otlp", "produce") : List.of("produce", "otlp")) {
          double rate = run(stub, client, mode, "run" + i + "-" + mode + "-" + tag, records, batch);
          (mode.equals("otlp") ? otlp : produce).add(rate);
          System.out.printf("%s run %d/%d: %,.0f log records/s%n", mode, i, runs, rate);
        }
      }
      System.out.printf(
          "median of %d runs: OTLP/gRPC (SDK exporter, batch %d) %,.0f log records/s;"
              + " Produce API (Producer) %,.0f log records/s; OTLP/Produce %.2f%n",
          runs, batch, median(otlp), median(produce), median(otlp) / median(produce));
    } finally {
      admin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** One run: RECORDS logs into service {@code service}'s stream; answers log records/s. */
  static double run(
      LogGrpc.LogBlockingStub stub,
      RaftlogClient client,
      String mode,
      String service,
      int records,
      int batch)
      throws Exception {
    String stream = "logs." + service;
    StreamInfo info = stub.createStream(CreateStreamRequest.newBuilder().setStream(stream).build());
    info = stub.describeStream(DescribeStreamRequest.newBuilder().setStream(stream).build());
    long started = System.nanoTime();
    if (mode.equals("otlp")) {
      viaOtlp(addressOf(stub, info.getLeaderId()), service, records, batch);
    } else {
      viaProducer(client, stream, service, records);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long held =
        stub.describeStream(DescribeStreamRequest.newBuilder().setStream(stream).build())
            .getNextOffset();
    if (held != records) {
      throw new IllegalStateException(stream + " holds " + held + " records, not " + records);
    }
    return records / seconds;
  }

  /** The SDK as an application sets it up, its queue large enough to hold every log. */
  static void viaOtlp(String address, String service, int records, int batch) {
    SdkLoggerProvider sdk =
        SdkLoggerProvider.builder()
            .setResource(
                Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE, service))))
            .addLogRecordProcessor(
                BatchLogRecordProcessor.builder(
                        OtlpGrpcLogRecordExporter.builder()
                            .setEndpoint("http://" + address)
                            .setTimeout(Duration.ofSeconds(30))
                            .build())
                    .setMaxExportBatchSize(batch)
                    .setMaxQueueSize(records)
                    .setScheduleDelay(Duration.ofMillis(10))
                    .setExporterTimeout(Duration.ofSeconds(60))
                    .build())
            .build();
    try {
      Logger logger = sdk.get("io.raftlog.bench");
      for (int i = 0; i < records; i++) {
        logger
            .logRecordBuilder()
            .setSeverity(Severity.INFO)
            .setSeverityText("INFO")
            .setBody(body(i))
            .setAttribute(AttributeKey.stringKey("http.method"), "GET")
            .setAttribute(AttributeKey.longKey("http.status_code"), 200L)
            .setAttribute(AttributeKey.longKey("seq"), (long) i)
            .emit();
      }
      if (!sdk.forceFlush().join(10, TimeUnit.MINUTES).isSuccess()) {
        throw new IllegalStateException("the SDK did not flush");
      }
    } finally {
      sdk.shutdown().join(30, TimeUnit.SECONDS);
    }
  }

  /** The same logs as the node would store them, through the Java client's Producer. */
  static void viaProducer(RaftlogClient client, String stream, String service, int records) {
    ResourceLogs resource = ResourceLogs.newBuilder().setResource(resource(service)).build();
    ScopeLogs scope =
        ScopeLogs.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("io.raftlog.bench"))
            .build();
    Producer producer = client.producer(); // the client's one producer, closed with the client
    for (int i = 0; i < records; i++) {
      LogRecord log =
          LogRecord.newBuilder()
              .setObservedTimeUnixNano(System.currentTimeMillis() * 1_000_000)
              .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_INFO)
              .setSeverityText("INFO")
              .setBody(AnyValue.newBuilder().setStringValue(body(i)))
              .addAttributes(kv("http.method", AnyValue.newBuilder().setStringValue("GET")))
              .addAttributes(kv("http.status_code", AnyValue.newBuilder().setIntValue(200)))
              .addAttributes(kv("seq", AnyValue.newBuilder().setIntValue(i)))
              .build();
      producer.send(stream, LogValues.otlp(resource, scope, log));
    }
    producer.flush();
  }

  /** The SDK's default resource (telemetry.sdk.*, service.name) as OTLP protobuf. */
  static io.opentelemetry.proto.resource.v1.Resource resource(String service) {
    var b = io.opentelemetry.proto.resource.v1.Resource.newBuilder();
    Resource.getDefault()
        .merge(Resource.create(Attributes.of(SERVICE, service)))
        .getAttributes()
        .forEach(
            (k, v) ->
                b.addAttributes(
                    kv(k.getKey(), AnyValue.newBuilder().setStringValue(v.toString()))));
    return b.build();
  }

  static KeyValue kv(String key, AnyValue.Builder value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  /** An access-log line of about 100 bytes. */
  static String body(int i) {
    return "GET /api/orders/"
        + (100_000 + i)
        + " 200 12ms user=u"
        + (i % 977)
        + " agent=Mozilla/5.0 (X11; Linux x86_64) trace="
        + Integer.toHexString(i * 7919);
  }

  static String addressOf(LogGrpc.LogBlockingStub stub, String nodeId) {
    for (NodeInfo n : stub.getCluster(GetClusterRequest.getDefaultInstance()).getNodesList()) {
      if (n.getId().equals(nodeId)) {
        return n.getClientAddress();
      }
    }
    throw new IllegalStateException("no node " + nodeId + " in the cluster");
  }

  static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    return s.size() % 2 == 1
        ? s.get(s.size() / 2)
        : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }
}
