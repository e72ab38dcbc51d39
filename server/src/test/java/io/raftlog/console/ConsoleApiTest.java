package io.raftlog.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.InProcessCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's HTTP face without a browser: its JSON endpoints answer the same from every node
 * (three nodes, two replicas per shard, so one node holds no replica of the stream and forwards),
 * gRPC errors and bad parameters become HTTP statuses with a JSON error, it serves GET only, and
 * the live tail is Server-Sent Events, bounded in number.
 */
class ConsoleApiTest {
  private static final String STREAM = "console-api/orders";
  private static final String TAILED = "console-api/tailed";

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    cluster =
        InProcessCluster.start(
            dir,
            3,
            Map.of(
                "cluster.replication", "2",
                "cluster.shards", "2",
                "http.port", ClusterLayout.HTTP_PORT_FREE),
            RaftlogServer::start);
    cluster.awaitShardLeaders();
    cluster
        .blocking("1")
        .produce(
            ProduceRequest.newBuilder()
                .setStream(STREAM)
                .addRecords(value("first"))
                .addRecords(
                    value("second").toBuilder()
                        .setKey(ByteString.copyFromUtf8("k2"))
                        .addHeaders(
                            Header.newBuilder().setKey("h").setValue(ByteString.copyFromUtf8("v"))))
                .addRecords(value("third"))
                .build());
    cluster
        .blocking("1")
        .produce(
            ProduceRequest.newBuilder()
                .setStream("console-api/paged")
                .addRecords(value("x"))
                .build());
  }

  private static Record value(String v) {
    return Record.newBuilder().setValue(ByteString.copyFromUtf8(v)).build();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static String base(String id) {
    return "http://" + cluster.node(id).httpAddress();
  }

  private static HttpResponse<String> get(String id, String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(base(id) + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyNodeAnswersForTheWholeCluster() throws Exception {
    GetClusterResponse c = cluster.blocking("1").getCluster(GetClusterRequest.getDefaultInstance());
    int shard = cluster.node("1").shardOf(STREAM);
    List<String> holders = c.getShards(shard).getReplicasList();
    String outsider =
        cluster.ids().stream().filter(id -> !holders.contains(id)).findFirst().orElseThrow();
    for (String id : cluster.ids()) {
      HttpResponse<String> page = get(id, "/");
      assertEquals(200, page.statusCode(), id);
      assertTrue(page.body().contains("raftlog console"), page.body());
      assertTrue(
          page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src"));
      assertEquals(200, get(id, "/console.js").statusCode());

      HttpResponse<String> cl = get(id, "/api/cluster");
      assertEquals(200, cl.statusCode(), cl.body());
      assertTrue(cl.body().startsWith("{\"self\":\"" + id + "\""), cl.body());
      for (NodeInfo n : c.getNodesList()) {
        assertTrue(cl.body().contains("\"client_address\":\"" + n.getClientAddress() + "\""));
      }

      String listed = get(id, "/api/streams?prefix=console-api%2F").body();
      assertTrue(listed.contains("\"name\":\"" + STREAM + "\""), id + ": " + listed);

      String described = get(id, "/api/stream?name=console-api%2Forders").body();
      assertTrue(described.contains("\"next_offset\":\"3\""), id + ": " + described);

      // The newest two, newest first; key and header bytes as base64.
      String newest =
          get(id, "/api/records?stream=console-api%2Forders&newest=true&limit=2").body();
      int third = newest.indexOf(b64("third"));
      int second = newest.indexOf(b64("second"));
      assertTrue(third > 0 && second > third, id + ": " + newest);
      assertTrue(!newest.contains(b64("first")), newest);
      assertTrue(newest.contains("\"key\":\"" + b64("k2") + "\""), newest);
      assertTrue(newest.contains("\"newest_first\":true"), newest);

      String fromOne = get(id, "/api/records?stream=console-api%2Forders&from=1&limit=1").body();
      assertTrue(
          fromOne.contains(b64("second")) && !fromOne.contains(b64("third")), id + ": " + fromOne);
    }
    // the outsider holds no replica: its answers above came through forwarding
    assertTrue(cluster.node(outsider).raftState(shard) == null, "node " + outsider);
  }

  @Test
  void streamsArePagedByToken() throws Exception {
    String first = get("3", "/api/streams?prefix=console-api%2F&page_size=1").body();
    assertTrue(first.contains("\"name\":\"console-api/orders\""), first);
    Matcher token = Pattern.compile("\"next_page_token\":\"([^\"]+)\"").matcher(first);
    assertTrue(token.find(), first);
    String second =
        get(
                "3",
                "/api/streams?prefix=console-api%2F&page_size=1&page_token="
                    + URLEncoder.encode(token.group(1), StandardCharsets.UTF_8))
            .body();
    assertTrue(second.contains("\"name\":\"console-api/paged\""), second);
    assertTrue(!second.contains("console-api/orders"), second);
  }

  @Test
  void grpcErrorsAndBadParametersBecomeHttpStatuses() throws Exception {
    HttpResponse<String> unknown = get("2", "/api/stream?name=no-such-stream");
    assertEquals(404, unknown.statusCode(), unknown.body());
    assertTrue(unknown.body().contains("\"code\":\"NOT_FOUND\""), unknown.body());
    assertEquals(404, get("2", "/api/records?stream=no-such-stream").statusCode());

    for (String bad : List.of("-1", "abc", "99999999999999999999")) {
      HttpResponse<String> r = get("2", "/api/records?stream=console-api%2Forders&from=" + bad);
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("'from'"), r.body());
    }
    HttpResponse<String> pastEnd = get("2", "/api/records?stream=console-api%2Forders&from=10");
    assertEquals(400, pastEnd.statusCode(), pastEnd.body());
    assertTrue(pastEnd.body().contains("OUT_OF_RANGE"), pastEnd.body());

    HttpResponse<String> noName = get("2", "/api/stream");
    assertEquals(400, noName.statusCode());
    assertTrue(noName.body().contains("'name': required"), noName.body());
    assertEquals(400, get("2", "/api/streams?page_size=0").statusCode());
    assertEquals(400, get("2", "/api/stream?name=bad%20name").statusCode());
    assertEquals(404, get("2", "/api/nothing").statusCode());
    assertEquals(404, get("2", "/nothing.html").statusCode());
  }

  @Test
  void onlyGetIsServed() throws Exception {
    for (String path : List.of("/", "/api/cluster", "/api/tail?stream=x")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base("3") + path))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(405, r.statusCode(), path);
      assertEquals("GET", r.headers().firstValue("Allow").orElse(""), path);
    }
  }

  @Test
  void topStreamsAnswersOrSaysWhyNot() throws Exception {
    HttpResponse<String> r = get("1", "/api/top?order=records");
    assertTrue(
        r.statusCode() == 200 && r.body().contains("\"streams\":")
            || r.statusCode() == 503 && r.body().contains("TopStreams"),
        r.statusCode() + " " + r.body());
    assertEquals(400, get("1", "/api/top?order=loudest").statusCode());
  }

  /** Reads SSE lines until an event with data arrives; answers its lines. */
  private static List<String> nextEvent(BufferedReader in) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isEmpty()) {
        if (lines.stream().anyMatch(l -> l.startsWith("data: "))) {
          return lines;
        }
        lines.clear();
      } else {
        lines.add(line);
      }
    }
    throw new AssertionError("the event stream ended");
  }

  @Test
  void theTailIsServerSentEventsResumableByLastEventId() throws Exception {
    cluster
        .blocking("1")
        .produce(
            ProduceRequest.newBuilder()
                .setStream(TAILED)
                .addRecords(value("first"))
                .addRecords(value("second"))
                .addRecords(value("third"))
                .build());
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(base("3") + "/api/tail?stream=console-api%2Ftailed&from=0"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      List<String> event = nextEvent(in);
      assertEquals("id: 3", event.get(0), event.toString());
      assertEquals("event: records", event.get(1), event.toString());
      String data = event.get(2);
      assertTrue(data.contains(b64("first")) && data.contains(b64("third")), data);

      cluster
          .blocking("2")
          .produce(ProduceRequest.newBuilder().setStream(TAILED).addRecords(value("live")).build());
      List<String> live = nextEvent(in);
      assertEquals("id: 4", live.get(0), live.toString());
      assertTrue(live.get(2).contains(b64("live")), live.toString());
    }

    // A browser reconnecting sends the last id: the tail goes on from there.
    HttpResponse<InputStream> resumed =
        http.send(
            HttpRequest.newBuilder(URI.create(base("1") + "/api/tail?stream=console-api%2Ftailed"))
                .header("Last-Event-ID", "3")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(resumed.body(), StandardCharsets.UTF_8))) {
      List<String> event = nextEvent(in);
      assertTrue(event.get(2).contains(b64("live")) && !event.get(2).contains(b64("third")));
    }
  }

  @Test
  void tailsBeyondTheBoundAreRefused() throws Exception {
    List<InputStream> open = new ArrayList<>();
    try {
      for (int i = 0; i < TailEvents.MAX_TAILS; i++) {
        HttpResponse<InputStream> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(base("2") + "/api/tail?stream=console-api%2Forders"))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        open.add(r.body());
      }
      HttpResponse<InputStream> refused =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(base("2") + "/api/tail?stream=console-api%2Forders"))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      open.add(refused.body());
      assertEquals(503, refused.statusCode());
      // the other pages still answer meanwhile
      assertEquals(200, get("2", "/api/cluster").statusCode());
    } finally {
      for (InputStream in : open) {
        in.close();
      }
    }
    // A closed tab frees its tail once the next ping finds the socket closed.
    Await.until(
        Duration.ofSeconds(3 * TailEvents.PING_MS / 1000),
        "a tail slot freed after the browsers left",
        () -> {
          try {
            HttpResponse<InputStream> r =
                http.send(
                    HttpRequest.newBuilder(
                            URI.create(base("2") + "/api/tail?stream=console-api%2Forders"))
                        .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            r.body().close();
            return r.statusCode() == 200;
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }
}
