package io.raftlog.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.metrics.Scrape;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.InProcessCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The names deploy/monitoring/ relies on are the names the node exports: every metric of the alert
 * rules, of their unit tests' input series and of the Grafana dashboard's queries is in the {@code
 * /metrics} of a running three-node cluster (after a produce, so that counters and the gRPC
 * histogram exist), and the labels the test series give a metric are labels it has. A metric
 * renamed in the node, or misspelt in a rule, fails here rather than leave an alert that never
 * fires.
 */
class MonitoringNamesTest {
  /** Series Prometheus makes itself for every target, not the node. */
  static final Set<String> PROMETHEUS_OWN = Set.of("up", "scrape_duration_seconds");

  /** Labels Prometheus adds to every series it scrapes. */
  static final Set<String> TARGET_LABELS = Set.of("job", "instance");

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  /** Every series the nodes export: sample name to each label's values. */
  static final Map<String, Map<String, Set<String>>> exported = new TreeMap<>();

  @BeforeAll
  static void scrapeARunningCluster() throws Exception {
    cluster =
        InProcessCluster.start(
            dir, 3, Map.of("http.port", ClusterLayout.HTTP_PORT_FREE), RaftlogServer::start);
    // One produce through a follower (forwarded), tried again while leaderships move at the start.
    ProduceRequest one =
        ProduceRequest.newBuilder()
            .setStream("names")
            .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8("x")))
            .build();
    Await.until(
        Duration.ofSeconds(30),
        "a produce to be acknowledged",
        () ->
            cluster
                    .blocking(cluster.aFollower())
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .produce(one)
                    .getRecordCount()
                == 1);
    // The JVM's GC pause timer exists from the first pause whose notification reached the node.
    System.gc();
    for (String id : cluster.ids()) {
      Await.until(
          Duration.ofSeconds(10),
          "node " + id + " to record a GC pause",
          () -> cluster.node(id).meterRegistry().find("jvm.gc.pause").timer() != null);
    }
    for (String id : cluster.ids()) {
      Scrape s = Scrape.of(cluster.node(id).httpAddress());
      assertEquals(200, s.status(), "GET /metrics of node " + id);
      for (Scrape.Sample sample : s.samples()) {
        Map<String, Set<String>> labels =
            exported.computeIfAbsent(sample.name(), k -> new TreeMap<>());
        sample.labels().forEach((k, v) -> labels.computeIfAbsent(k, x -> new TreeSet<>()).add(v));
      }
    }
  }

  /** The values label {@code label} takes in the exported series named {@code name}. */
  private static Set<String> labelValues(String name, String label) {
    return exported.getOrDefault(name, Map.of()).getOrDefault(label, Set.of());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Names of {@code exprs} not exported, each with the first expression that uses it. */
  private static Map<String, String> unknown(List<String> exprs) {
    Map<String, String> missing = new TreeMap<>();
    for (String e : exprs) {
      for (String name : Monitoring.metricNames(e)) {
        if (!exported.containsKey(name) && !PROMETHEUS_OWN.contains(name)) {
          missing.putIfAbsent(name, e.length() > 100 ? e.substring(0, 100) + "..." : e);
        }
      }
    }
    return missing;
  }

  @Test
  void everyAlertRuleReadsMetricsTheNodeExports() throws IOException {
    List<String> exprs = List.copyOf(Monitoring.alertExpressions().values());
    assertFalse(exprs.isEmpty(), "alerts.yml has rules");
    assertEquals(Map.of(), unknown(exprs), "metrics of alerts.yml that no node exports");
  }

  @Test
  void everyDashboardQueryReadsMetricsTheNodeExports() throws IOException {
    List<String> exprs = Monitoring.dashboardExpressions();
    Set<String> names = new TreeSet<>();
    exprs.forEach(e -> names.addAll(Monitoring.metricNames(e)));
    assertTrue(names.size() >= 20, "the dashboard reads the node's metrics: " + names);
    assertEquals(Map.of(), unknown(exprs), "metrics of the dashboard that no node exports");
  }

  @Test
  void everyAlertTestSeriesIsAMetricWithTheLabelsTheNodeGivesIt() throws IOException {
    List<String> series = Monitoring.testSeries();
    assertFalse(series.isEmpty(), "alerts_test.yml has input series");
    assertEquals(Map.of(), unknown(series), "metrics of alerts_test.yml that no node exports");
    Map<String, Set<String>> wrongLabels = new TreeMap<>();
    for (String s : series) {
      Scrape.Sample selector = Scrape.parse(s + " 0").get(0); // a selector is a sample's series
      if (PROMETHEUS_OWN.contains(selector.name())) {
        continue;
      }
      Set<String> labels = new TreeSet<>(selector.labels().keySet());
      labels.removeAll(TARGET_LABELS);
      labels.removeAll(exported.getOrDefault(selector.name(), Map.of()).keySet());
      if (!labels.isEmpty()) {
        wrongLabels.put(s, labels);
      }
    }
    assertEquals(Map.of(), wrongLabels, "labels of alerts_test.yml series the node does not give");
  }

  @Test
  void theProduceCallsTheAlertsSelectAreTheInterceptorsServiceAndMethod() {
    // RaftlogProduceErrors and the dashboard select service="raftlog.v1.Log", method=~"Produce|..."
    String calls = "grpc_server_processing_duration_seconds_count";
    assertTrue(labelValues(calls, "service").contains("raftlog.v1.Log"), "" + exported.get(calls));
    assertTrue(labelValues(calls, "method").contains("Produce"), "" + exported.get(calls));
    assertTrue(labelValues(calls, "statusCode").contains("OK"), "" + exported.get(calls));
  }

  @Test
  void metricNamesAreReadFromPromqlNotFromItsKeywordsLabelsOrVariables() {
    assertEquals(
        Set.of("grpc_server_processing_duration_seconds_bucket"),
        Monitoring.metricNames(
            "histogram_quantile(0.99, sum by (le, method) (rate("
                + "grpc_server_processing_duration_seconds_bucket{job=\"$job\", node=~\"$node\","
                + " service=\"raftlog.v1.Log\"}[$__rate_interval])))"));
    assertEquals(
        Set.of("raftlog_raft_last_log_index", "raftlog_snapshot_last_time_seconds", "up"),
        Monitoring.metricNames(
            "(time() - raftlog_snapshot_last_time_seconds > 1800 and on (job, instance) up == 1)"
                + " and on (group) delta(raftlog_raft_last_log_index[30m] offset 5m) > 1e3"
                + " or vector(0) unless ignoring(node) group_left(x) bool inf"));
    assertEquals(
        Set.of("raftlog_node_serving"),
        Monitoring.metricNames("label_values(raftlog_node_serving{job=\"$job\"}, node)"));
  }
}
