package io.raftlog.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.raftlog.testkit.Await;
import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.FreePorts;
import io.raftlog.testkit.ProcessCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;

/**
 * A real Prometheus (Debian's {@code prometheus}) scraping three node processes with the shipped
 * deploy/monitoring/prometheus.yml and alerts.yml, only faster (scrape and rule evaluation every
 * second) and aimed at the test's ports: it accepts every query of the dashboard and the alerts,
 * sees a shard's leader-change counter move when that leader is killed ({@code kill -9}), and holds
 * the "group without a leader" alert while the last node up has no quorum. Everything is read
 * through Prometheus's HTTP API, as an operator's tools read it.
 *
 * <p>Skipped, saying so, where prometheus is not on PATH; under {@code CI=true} it fails instead.
 * The tests run in order on one cluster: the first kills one node, the second all but one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusIT {
  static final Path JAR = Path.of("target", "raftlog-server.jar").toAbsolutePath();
  static final Duration WAIT = Duration.ofSeconds(40);

  @TempDir static Path dir;
  static ProcessCluster cluster;
  static Process prometheus;
  static String api; // http://127.0.0.1:PORT/api/v1/
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Monitoring.requireTool("prometheus");
    cluster = new ProcessCluster(dir, 3, JAR, Map.of("http.port", ClusterLayout.HTTP_PORT_FREE));
    cluster.startAll();
    cluster.awaitShardLeaders(Duration.ofSeconds(60));
    String listen = FreePorts.loopbackAddress();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, fastConfigFor(cluster.ids().stream().map(cluster::httpAddress)));
    prometheus =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=" + listen,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    api = "http://" + listen + "/api/v1/";
    // It answers 503 until its storage is open and the config loaded.
    Await.until(
        WAIT, "Prometheus to be ready", () -> status("http://" + listen + "/-/ready") == 200);
    Await.until(
        WAIT,
        "Prometheus to scrape all three nodes",
        () -> value("sum(up{job=\"raftlog\"})") == 3.0);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (prometheus != null) {
      prometheus.destroy(); // SIGTERM to its PID
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * deploy/monitoring/prometheus.yml with the test's targets, alerts.yml by its absolute path, and
   * scrapes and rule evaluations every second.
   */
  @SuppressWarnings("unchecked")
  static String fastConfigFor(java.util.stream.Stream<String> targets) throws IOException {
    Map<String, Object> c =
        Yaml.map(new Yaml().loadAll(Files.readString(Monitoring.PROMETHEUS_YML)).iterator().next());
    Map<String, Object> global = Yaml.map(c.get("global"));
    global.put("scrape_interval", "1s");
    global.put("evaluation_interval", "1s");
    List<Object> rules = Yaml.list(c, "rule_files");
    assertEquals(List.of("alerts.yml"), rules, "prometheus.yml loads alerts.yml");
    c.put("rule_files", List.of(Monitoring.ALERTS.toString()));
    List<Object> jobs = Yaml.list(c, "scrape_configs");
    assertEquals("raftlog", Yaml.str(jobs.get(0), "job_name"));
    Map<String, Object> statics = Yaml.map(Yaml.list(jobs.get(0), "static_configs").get(0));
    statics.put("targets", targets.toList());
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new org.yaml.snakeyaml.Yaml(options).dump(c);
  }

  /**
   * GET {@code api + path}: the answer's data; an IllegalStateException (which {@link Await} takes
   * for "not yet") unless Prometheus says success.
   */
  static Object get(String path) {
    HttpResponse<String> r = send(api + path);
    Object body = r.statusCode() == 200 ? new Yaml().loadAll(r.body()).iterator().next() : null;
    if (!"success".equals(Yaml.str(body, "status"))) { // JSON is YAML
      throw new IllegalStateException(path + ": HTTP " + r.statusCode() + ": " + r.body());
    }
    return Yaml.at(body, "data");
  }

  static int status(String url) {
    return send(url).statusCode();
  }

  private static HttpResponse<String> send(String url) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An instant query's samples: each series' labels with its value. */
  static Map<Map<String, Object>, Double> query(String promql) {
    Object data = get("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    Map<Map<String, Object>, Double> samples = new HashMap<>();
    if (!"vector".equals(Yaml.str(data, "resultType"))) {
      return samples;
    }
    for (Object s : Yaml.list(data, "result")) {
      List<Object> value = Yaml.list(s, "value");
      samples.put(Yaml.map(Yaml.at(s, "metric")), Double.parseDouble("" + value.get(1)));
    }
    return samples;
  }

  /** The value of a query that answers one series, or NaN when it answers none. */
  static double value(String promql) {
    Map<Map<String, Object>, Double> samples = query(promql);
    return samples.isEmpty() ? Double.NaN : samples.values().iterator().next();
  }

  @Test
  @Order(1)
  void prometheusAcceptsEveryQueryOfTheDashboardAndTheAlerts() throws IOException {
    List<String> exprs = new ArrayList<>(Monitoring.alertExpressions().values());
    for (String e : Monitoring.dashboardExpressions()) {
      if (!e.startsWith("label_values(")) { // Grafana's, not PromQL
        exprs.add(Monitoring.withVariables(e, "raftlog"));
      }
    }
    for (String e : exprs) {
      query(e); // fails on a status other than success (a parse error, a many-to-many match)
    }
    // And the cluster's own view of itself, once scraped: every node serving, every group with a
    // leader.
    Await.until(
        WAIT,
        "every node serving and every group with a leader, in Prometheus",
        () ->
            value("sum(raftlog_node_serving{job=\"raftlog\"})") == 3.0
                && value(
                        "count(max by (group) (raftlog_raft_leader_known{job=\"raftlog\"}) == 0)"
                            + " or vector(0)")
                    == 0.0);
  }

  @Test
  @Order(2)
  void killingAShardsLeaderMovesItsLeaderChangeCounter() throws Exception {
    String leader = cluster.awaitShardLeaders(WAIT).get(0);
    List<String> survivors = new ArrayList<>(cluster.upIds());
    survivors.remove(leader);
    String changes =
        "sum(raftlog_raft_leader_changes_total{job=\"raftlog\", group=\"0\", node=~\""
            + String.join("|", survivors)
            + "\"})";
    double before =
        Await.value(
            WAIT,
            "shard 0's leader-change counters of nodes " + survivors,
            () -> {
              Map<Map<String, Object>, Double> each =
                  query(
                      "raftlog_raft_leader_changes_total{job=\"raftlog\", group=\"0\", node=~\""
                          + String.join("|", survivors)
                          + "\"}");
              return each.size() == survivors.size() ? value(changes) : null;
            });
    cluster.kill9(leader);
    Await.until(
        WAIT,
        "shard 0's leader-change counter on " + survivors + " to move past " + before,
        () -> value(changes) > before);
    String killed = cluster.httpAddress(leader);
    Await.until(
        WAIT,
        "Prometheus to see node " + leader + " (" + killed + ") down",
        () -> value("up{job=\"raftlog\", instance=\"" + killed + "\"}") == 0.0);
  }

  @Test
  @Order(3)
  void aGroupWithoutLeaderFiresItsAlertDuringAnOutage() throws Exception {
    List<String> up = cluster.upIds();
    String last = up.get(up.size() - 1);
    for (String id : up) {
      if (!id.equals(last)) {
        cluster.kill9(id); // the last node up has no quorum: no group of it can elect
      }
    }
    String expr = Monitoring.alertExpressions().get("RaftlogGroupWithoutLeader");
    Await.until(
        WAIT,
        "the RaftlogGroupWithoutLeader expression to hold for group 0 and meta",
        () -> {
          Map<Map<String, Object>, Double> held = query(expr);
          List<Object> groups = held.keySet().stream().map(m -> m.get("group")).toList();
          return groups.contains("0") && groups.contains("meta");
        });
    Await.until(
        WAIT,
        "the RaftlogGroupWithoutLeader alert to fire (its for: is 10 s)",
        () -> {
          for (Object a : Yaml.list(get("alerts"), "alerts")) {
            if ("RaftlogGroupWithoutLeader".equals(Yaml.str(a, "labels", "alertname"))
                && "firing".equals(Yaml.str(a, "state"))) {
              return true;
            }
          }
          return false;
        });
  }
}
