package io.raftlog.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.config.NodeConfig;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.wire.HostPort;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23's "done when": the OpenTelemetry Java SDK, with its own OTLP/gRPC exporter (OkHttp, not
 * our gRPC), ships logs to a node that does not lead the logs' shard (so every export is forwarded)
 * while that shard's leader is killed; every log comes back exactly once, in order.
 *
 * <p>What it leans on, from the SDK 1.68 source: {@code BatchLogRecordProcessor}'s worker exports
 * one batch and waits for it ({@code join(exporterTimeout)}) before the next, so batches reach the
 * node in order as long as each export ends within the exporter timeout; the OTLP exporter retries
 * by default (RetryPolicy: 5 attempts, backoff 1 s x1.5 up to 5 s, each within ±20%) on CANCELLED,
 * DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS, and all
 * attempts share the exporter's timeout (OkHttp's call timeout, 10 s by default).
 */
class OtlpSdkExportTest {
  static final int LOGS = 3000;
  static final String SERVICE = "sdk-export";
  static final String STREAM = "logs." + SERVICE;
  static final AttributeKey<Long> SEQ = AttributeKey.longKey("seq");

  @TempDir Path dir;

  @Test
  void everyLogArrivesOnceInOrderThroughALeaderKill() throws Exception {
    // The cluster starts with leaders balanced, so the balancer leaves them where they are (the
    // kill below checks that the leader picked here still leads).
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(dir, 3, OtlpSdkExportTest::nodeThatLosesAnswers)) {
      String leader = cluster.awaitLeader(STREAM);
      String endpoint =
          cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
      SdkLoggerProvider sdk = sdkShippingTo(cluster.clientAddress(endpoint));
      try {
        Logger logger = sdk.get("io.raftlog.test");
        for (long seq = 0; seq < LOGS; seq++) {
          if (seq == LOGS / 2) {
            // Once some batches are in, so the kill falls among exports, not before them.
            Await.until(
                Duration.ofSeconds(20),
                "the first exports to reach " + STREAM,
                () -> cluster.node(endpoint).nextOffset(STREAM) > 0);
            assertEquals(
                leader, cluster.awaitLeader(STREAM), "the leader the SDK's node forwards to");
            cluster.stopNode(leader); // no hand-off: to the others the leader crashed
            LOST_ANSWERS.set(2); // and the next two appends' answers never reach the SDK
          }
          logger
              .logRecordBuilder()
              .setSeverity(Severity.INFO)
              .setBody("log " + seq)
              .setAttribute(SEQ, seq)
              .emit();
          if (seq % 10 == 0) {
            Thread.sleep(5); // ~3 s of logging, so exports go on through the failover
          }
        }
        assertTrue(
            sdk.forceFlush().join(60, TimeUnit.SECONDS).isSuccess(), "the SDK flushed its logs");
      } finally {
        sdk.shutdown().join(10, TimeUnit.SECONDS);
      }

      assertNotEquals(leader, cluster.awaitLeader(STREAM), "the shard has a new leader");
      assertEquals(0, LOST_ANSWERS.get(), "answers were lost, and their exports retried");
      List<Long> read = seqs(cluster, endpoint);
      assertEquals(LongStream.range(0, LOGS).boxed().toList(), read, differences(read));
    }
  }

  /** How many more successful Export answers the nodes replace with UNAVAILABLE. */
  static final AtomicInteger LOST_ANSWERS = new AtomicInteger();

  /**
   * A node whose successful Export answers are lost while {@link #LOST_ANSWERS} says so: the
   * records are appended, but the exporter hears UNAVAILABLE (as when a connection breaks after the
   * append), and retries the same export. Only the content-hash producer id keeps those records
   * from being appended twice.
   */
  static RaftlogServer nodeThatLosesAnswers(Properties properties) throws Exception {
    NodeConfig config = NodeConfig.from(properties);
    HostPort address = HostPort.parse(config.self().clientAddress());
    return RaftlogServer.builder(config)
        .serverBuilder(
            NettyServerBuilder.forAddress(new InetSocketAddress(address.host(), address.port()))
                .intercept(new LoseAnswers()))
        .start();
  }

  /** Replaces an Export's OK with UNAVAILABLE after the call ran, while answers are to be lost. */
  static final class LoseAnswers implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      if (!call.getMethodDescriptor().getFullMethodName().equals(EXPORT)) {
        return next.startCall(call, headers);
      }
      return next.startCall(
          new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            private boolean lost;

            @Override
            public void sendMessage(A message) {
              lost = LOST_ANSWERS.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
              if (!lost) {
                super.sendMessage(message);
              }
            }

            @Override
            public void close(Status status, Metadata trailers) {
              super.close(
                  lost ? Status.UNAVAILABLE.withDescription("answer lost (test)") : status,
                  trailers);
            }
          },
          headers);
    }
  }

  static final String EXPORT = LogsServiceGrpc.getExportMethod().getFullMethodName();

  /**
   * The SDK as an application would set it up, with what this test needs changed: a queue that
   * holds every log (the default 2048 drops the overflow while exports stall in the failover), a
   * short schedule delay so exports run all through the logging, and more room for retries than a
   * failover takes on a busy machine (backoff 1, 2, 4, 8 s within a 30 s timeout), the processor's
   * own timeout above that so it never starts the next batch while one still retries (order).
   */
  static SdkLoggerProvider sdkShippingTo(String clientAddress) {
    OtlpGrpcLogRecordExporter exporter =
        OtlpGrpcLogRecordExporter.builder()
            .setEndpoint("http://" + clientAddress)
            .setTimeout(Duration.ofSeconds(30))
            .setRetryPolicy(
                RetryPolicy.builder()
                    .setMaxAttempts(5)
                    .setInitialBackoff(Duration.ofSeconds(1))
                    .setBackoffMultiplier(2)
                    .setMaxBackoff(Duration.ofSeconds(8))
                    .build())
            .build();
    return SdkLoggerProvider.builder()
        .setResource(
            Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), SERVICE)))
        .addLogRecordProcessor(
            BatchLogRecordProcessor.builder(exporter)
                .setMaxExportBatchSize(512) // the SDK's default, stated
                .setMaxQueueSize(LOGS)
                .setScheduleDelay(Duration.ofMillis(100))
                .setExporterTimeout(Duration.ofSeconds(60))
                .build())
        .build();
  }

  /** The seq attribute of every record of the stream, read from {@code id} in offset order. */
  static List<Long> seqs(InProcessCluster<RaftlogServer> cluster, String id) throws Exception {
    List<Long> out = new ArrayList<>();
    long offset = 0;
    while (true) {
      ConsumeResponse resp =
          cluster
              .blocking(id)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .consume(
                  ConsumeRequest.newBuilder()
                      .setStream(STREAM)
                      .setOffset(offset)
                      .setMaxRecords(1000)
                      .setConsistency(Consistency.LINEARIZABLE)
                      .build());
      if (resp.getRecordsCount() == 0) {
        return out;
      }
      for (Record r : resp.getRecordsList()) {
        LogRecord log = ResourceLogs.parseFrom(r.getValue()).getScopeLogs(0).getLogRecords(0);
        out.add(seqOf(log));
        offset = r.getOffset() + 1;
      }
    }
  }

  /**
   * What is wrong with {@code read}, in a line: twice-read and missing seqs, the first disorder.
   */
  static String differences(List<Long> read) {
    java.util.Map<Long, Integer> times = new java.util.TreeMap<>();
    read.forEach(seq -> times.merge(seq, 1, Integer::sum));
    List<Long> twice =
        times.entrySet().stream().filter(e -> e.getValue() > 1).map(e -> e.getKey()).toList();
    List<Long> missing =
        LongStream.range(0, LOGS).filter(seq -> !times.containsKey(seq)).boxed().toList();
    int disorder = 1;
    while (disorder < read.size() && read.get(disorder) > read.get(disorder - 1)) {
      disorder++;
    }
    return read.size()
        + " logs read; "
        + twice.size()
        + " read more than once (first: "
        + twice.stream().limit(5).toList()
        + "), "
        + missing.size()
        + " missing (first: "
        + missing.stream().limit(5).toList()
        + ")"
        + (disorder < read.size() ? ", first out of order at offset " + disorder : "");
  }

  private static long seqOf(LogRecord log) {
    for (KeyValue kv : log.getAttributesList()) {
      if (kv.getKey().equals(SEQ.getKey())) {
        return kv.getValue().getIntValue();
      }
    }
    throw new AssertionError("a log without seq: " + log);
  }
}
