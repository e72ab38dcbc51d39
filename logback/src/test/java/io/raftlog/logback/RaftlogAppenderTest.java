package io.raftlog.logback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.Duration;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.raftlog.api.v1.Record;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogException;
import io.raftlog.otlp.LogDecoder;
import io.raftlog.otlp.LogEntry;
import io.raftlog.otlp.LogLine;
import io.raftlog.otlp.LogValues;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/**
 * The appender against a real three-node cluster (one for the class): what an event becomes in both
 * encodings, that stop() delivers what is buffered, and the "done when": while the whole
 * cluster is stopped, logging never blocks the application, events beyond the buffer are dropped
 * and counted, and once the cluster is back the buffered events arrive in order, followed by the
 * report of the drops.
 *
 * <p>Each test logs through a {@link LoggerContext} of its own (an application's), not the global
 * one the in-process nodes log to.
 */
class RaftlogAppenderTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static RaftlogClient reader;

  @BeforeAll
  static void startCluster() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
    reader = RaftlogClient.builder().servers(cluster.clientAddresses()).build();
  }

  @AfterAll
  static void stopCluster() {
    if (reader != null) {
      reader.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * The slowest logger call allowed while the cluster is stopped. Any wait on the cluster costs far
   * more: a send that waits for room or for the slot map waits the client's max block (1 s), one
   * that waits for its acknowledgement waits until the cluster is back (seconds here), and a buffer
   * that blocks when full holds the caller until then. 50 ms leaves room for a GC pause or a
   * descheduled thread on a busy two-core CI machine (the slowest call seen there: 11 ms; the
   * median is a few microseconds).
   */
  private static final long SLOWEST_CALL_NANOS = 50_000_000;

  /** A TLS file the client cannot use stops the appender at start, naming it, not at each event. */
  @Test
  void aMissingCaFileKeepsTheAppenderFromStartingNamingIt() {
    LoggerContext context = new LoggerContext();
    RaftlogAppender appender = new RaftlogAppender();
    appender.setContext(context);
    appender.setName("RAFTLOG");
    appender.setAddresses(String.join(",", cluster.clientAddresses()));
    Path missing = dir.resolve("no-ca.pem");
    appender.setCa(missing.toString());
    appender.start();
    assertFalse(appender.isStarted());
    assertTrue(
        context.getStatusManager().getCopyOfStatusList().stream()
            .anyMatch(
                s ->
                    s.getLevel() == Status.ERROR
                        && s.getMessage().contains("CA file " + missing + ": does not exist")),
        context.getStatusManager().getCopyOfStatusList().toString());
  }

  @Test
  // A buffer that blocks when full holds the logging loop for good, and maybe uninterruptibly: the
  // test runs on a thread of its own so that it fails then rather than hang.
  @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void loggingWhileTheClusterIsStoppedNeverBlocksAndDeliversInOrderOnceItIsBack() {
    int buffer = 200;
    int logged = 1_000;
    App app = new App("outage", "otlp", buffer);
    try {
      for (int i = 0; i < 50; i++) { // warm up the path, and learn the cluster
        app.log.info("warm-up {}", i);
      }
      List<Record> warm = awaitRecords(app.appender.stream(), 50);
      assertEquals("warm-up 49", body(warm.get(49)));

      cluster.ids().forEach(cluster::stopNode);
      long[] calls = new long[logged];
      for (int i = 0; i < logged; i++) {
        long start = System.nanoTime();
        app.log.info("during the outage {}", i);
        calls[i] = System.nanoTime() - start;
      }
      long[] sorted = calls.clone();
      Arrays.sort(sorted);
      int slowest = 0;
      for (int i = 1; i < logged; i++) {
        slowest = calls[i] > calls[slowest] ? i : slowest;
      }
      System.out.printf(
          "logger calls while the cluster was stopped (%d): median %d us, p99 %d us, max %d us"
              + " (call %d; the first dropped is call %d)%n",
          logged,
          sorted[logged / 2] / 1_000,
          sorted[logged * 99 / 100] / 1_000,
          sorted[logged - 1] / 1_000,
          slowest,
          buffer);
      assertTrue(
          sorted[logged - 1] < SLOWEST_CALL_NANOS,
          "slowest logger call " + sorted[logged - 1] / 1_000 + " us");
      assertEquals(logged - buffer, app.appender.droppedEvents(), "everything beyond the buffer");
      assertTrue(app.hasStatus(Status.WARN, "dropping events"), "a status WARN when dropping");

      cluster.ids().forEach(cluster::startNode);
      List<Record> all = awaitRecords(app.appender.stream(), 50 + buffer + 1);
      for (int i = 0; i < buffer; i++) {
        assertEquals("during the outage " + i, body(all.get(50 + i)), "in order, none twice");
      }
      LogRecord report = otlp(all.get(50 + buffer));
      assertEquals(13, report.getSeverityNumberValue(), "the report is a WARN");
      assertEquals(String.valueOf(logged - buffer), attrs(report).get("raftlog.dropped.count"));
      assertTrue(
          report
              .getBody()
              .getStringValue()
              .contains("dropped " + (logged - buffer) + " log events"),
          report.getBody().getStringValue());

      app.log.info("after");
      List<Record> after = awaitRecords(app.appender.stream(), 50 + buffer + 2);
      assertEquals("after", body(after.get(after.size() - 1)));
    } finally {
      app.stop();
      // A failure above must not leave the other tests a stopped cluster.
      cluster.ids().stream().filter(id -> cluster.node(id) == null).forEach(cluster::startNode);
    }
  }

  @Test
  void anOtlpRecordKeepsSeverityServiceBodyAttributesMdcAndException() throws Exception {
    App app = new App("otlp-round-trip", "otlp", 100);
    try {
      // The client's own loggers are never shipped: a loop when it logs about its sends.
      app.context.getLogger("io.raftlog.client.Lane").warn("not shipped");
      app.context.getLogger("io.grpc.netty.Whatever").warn("not shipped");
      logTheSampleEvent(app);
    } finally {
      app.stop();
    }
    List<Record> records = awaitRecords(app.appender.stream(), 1);
    assertEquals(1, records.size(), "only the application's event");
    Record r = records.get(0);
    assertEquals(LogValues.OTLP, LogValues.contentType(r));
    checkTheSampleLog(r, "otlp-round-trip");
    // What a reader needs beyond the LogEntry: the logger is the instrumentation scope.
    ScopeLogs scope = ResourceLogs.parseFrom(r.getValue()).getScopeLogs(0);
    assertEquals("app.Checkout", scope.getScope().getName());
  }

  @Test
  void aJsonRecordKeepsSeverityServiceBodyAttributesMdcAndException() throws Exception {
    App app = new App("json-round-trip", "json", 100);
    try {
      logTheSampleEvent(app);
    } finally {
      app.stop();
    }
    Record r = awaitRecords(app.appender.stream(), 1).get(0);
    assertEquals(LogValues.JSON, LogValues.contentType(r));
    checkTheSampleLog(r, "json-round-trip");
  }

  @Test
  void stopDeliversWhatIsStillBuffered() {
    App app = new App("flush-on-stop", "otlp", 1_000);
    app.appender.stop(); // reconfigured below: a linger that holds every batch back
    app.appender.setLinger(Duration.buildBySeconds(30));
    app.appender.start();
    for (int i = 0; i < 300; i++) {
      app.log.info("line {}", i);
    }
    app.stop(); // at once: without the flush the lines wait out the linger, and are lost
    assertEquals(0, app.appender.droppedEvents());
    List<Record> records = reader.consume(app.appender.stream(), 0, 1_000).getRecordsList();
    assertEquals(300, records.size(), "every line logged before stop()");
    assertEquals("line 299", body(records.get(299)));
  }

  // ---- the sample event of the round trips

  private static void logTheSampleEvent(App app) {
    MDC.put("order", "42");
    MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
    MDC.put("span_id", "00f067aa0ba902b7");
    try {
      app.context
          .getLogger("app.Checkout")
          .atWarn()
          .addKeyValue("amount", 1999)
          .setCause(new IllegalStateException("issuer said no", new RuntimeException("timeout")))
          .log("card declined for order {}", 42);
    } finally {
      MDC.clear();
    }
  }

  /**
   * The sample event as {@code raftlog consume --format log} reads it back ({@link LogDecoder}):
   * severity, service, body, time, trace ids, and every attribute.
   */
  private static void checkTheSampleLog(Record r, String service) throws Exception {
    LogEntry log = LogDecoder.decode(r);
    assertEquals(13, log.severityNumber());
    assertEquals("WARN", log.severityText());
    assertEquals(service, log.service());
    assertEquals(Map.of("service.name", service, "host.name", "test-host"), log.resource());
    assertEquals("card declined for order 42", log.body());
    assertEquals(r.getTimestampMs(), log.timeUnixNano() / 1_000_000, "timestamp_ms: the log's");
    assertTrue(Math.abs(System.currentTimeMillis() - r.getTimestampMs()) < 60_000);
    assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", log.traceId());
    assertEquals("00f067aa0ba902b7", log.spanId());
    Map<String, String> a = log.attributes();
    assertEquals(Thread.currentThread().getName(), a.get("thread.name"));
    assertEquals("app.Checkout", a.get("logger.name"));
    assertEquals("42", a.get("order"), "MDC");
    assertEquals("1999", a.get("amount"), "SLF4J key-value pair");
    assertEquals("java.lang.IllegalStateException", a.get("exception.type"));
    assertEquals("issuer said no", a.get("exception.message"));
    String trace = a.get("exception.stacktrace");
    assertTrue(trace.startsWith("java.lang.IllegalStateException: issuer said no"), trace);
    assertTrue(trace.contains("\tat io.raftlog.logback.RaftlogAppenderTest"), trace);
    assertTrue(trace.contains("Caused by: java.lang.RuntimeException: timeout"), trace);
    assertEquals(null, a.get("trace_id"), "the ids went to the log's own fields");
    String line = LogLine.format(log);
    assertTrue(line.contains(" WARN ") && line.contains("card declined for order 42"), line);
  }

  // ---- an application's logging

  /** An application's logging context with the appender on its root logger. */
  private static final class App {
    final LoggerContext context = new LoggerContext();
    final RaftlogAppender appender = new RaftlogAppender();
    final Logger log;

    App(String service, String encoding, int bufferSize) {
      context.setName(service);
      context.setMDCAdapter(MDC.getMDCAdapter()); // as SLF4J's provider does for its context
      // The appender's statuses in the test's output, for whoever reads a failure.
      var console = new ch.qos.logback.core.status.OnConsoleStatusListener();
      console.setContext(context);
      console.start();
      context.getStatusManager().add(console);
      appender.setContext(context);
      appender.setName("RAFTLOG");
      appender.setAddresses(String.join(",", cluster.clientAddresses()));
      appender.setService(service);
      appender.setEncoding(encoding);
      appender.setHostName("test-host");
      appender.setBufferSize(bufferSize);
      appender.start();
      assertTrue(appender.isStarted(), context.getStatusManager().getCopyOfStatusList().toString());
      Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.setLevel(Level.DEBUG);
      root.addAppender(appender);
      log = context.getLogger("app.Main");
    }

    boolean hasStatus(int level, String text) {
      return context.getStatusManager().getCopyOfStatusList().stream()
          .anyMatch(s -> s.getLevel() == level && s.getMessage().contains(text));
    }

    void stop() {
      context.stop(); // stops the appender
    }
  }

  // ---- reading back

  /** The stream's records once it has at least {@code n}. */
  private static List<Record> awaitRecords(String stream, int n) {
    return Await.value(
        java.time.Duration.ofSeconds(30),
        n + " records in " + stream,
        () -> {
          try {
            List<Record> all = new ArrayList<>();
            long next = 0;
            while (true) {
              var answer = reader.consume(stream, next, 1_000);
              all.addAll(answer.getRecordsList());
              if (answer.getRecordsCount() == 0) {
                break;
              }
              next = answer.getNextOffset();
            }
            return all.size() >= n ? all : null;
          } catch (RaftlogException e) {
            return null; // the cluster is still starting, or the stream not created yet
          }
        });
  }

  private static LogRecord otlp(Record r) {
    try {
      return ResourceLogs.parseFrom(r.getValue()).getScopeLogs(0).getLogRecords(0);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static String body(Record r) {
    return otlp(r).getBody().getStringValue();
  }

  private static Map<String, String> attrs(LogRecord log) {
    return toMap(log.getAttributesList());
  }

  private static Map<String, String> toMap(List<KeyValue> kvs) {
    Map<String, String> m = new HashMap<>();
    kvs.forEach(kv -> m.put(kv.getKey(), kv.getValue().getStringValue()));
    return m;
  }
}
