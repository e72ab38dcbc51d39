package io.raftlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.raftlog.config.ConfigKeys;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ProcessCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code logging.format=json} on real node processes: every line a node writes is one JSON object
 * with the time, level, logger, thread, message and the node's id; and after a shard's leader is
 * killed, the node that takes over says so in one line ("node 2 leads shard 0 in term 3").
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class JsonLogIT {
  private static final JsonFactory JSON = new JsonFactory();

  @TempDir Path dir;

  /** One log line's top-level string and number fields, and context.properties.node as "node". */
  private static Map<String, String> parse(String line) {
    Map<String, String> fields = new HashMap<>();
    try (JsonParser p = JSON.createParser(line)) {
      assertEquals(JsonToken.START_OBJECT, p.nextToken(), line);
      String path = "";
      int depth = 1;
      for (JsonToken t = p.nextToken(); depth > 0; t = p.nextToken()) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          path = path + p.currentName() + ".";
          depth++;
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
          path =
              path.isEmpty() ? "" : path.substring(0, path.lastIndexOf('.', path.length() - 2) + 1);
        } else if (t.isScalarValue()) {
          fields.put(path + p.currentName(), p.getText());
        }
      }
      assertEquals(null, p.nextToken(), "one object per line: " + line);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + line, e);
    }
    return fields;
  }

  private List<String> log(String id) throws IOException {
    return Files.readAllLines(dir.resolve("node-" + id).resolve("node.log"));
  }

  private long lines(String id, String message) throws IOException {
    return log(id).stream()
        .map(JsonLogIT::parse)
        .filter(f -> message.equals(f.get("formattedMessage")))
        .count();
  }

  private static long shard0Term(ProcessCluster cluster, String id) {
    return cluster.self(id).getReplicasList().stream()
        .filter(r -> r.getShard() == 0)
        .findFirst()
        .orElseThrow()
        .getTerm();
  }

  @Test
  void everyLineIsJsonWithTheNodeAndAKilledLeadersSuccessorSaysItLeads() throws Exception {
    try (ProcessCluster cluster =
        new ProcessCluster(
            dir,
            3,
            NodeProcesses.JAR,
            Map.of(
                ConfigKeys.LOGGING_FORMAT.name(), "json", ConfigKeys.CLUSTER_SHARDS.name(), "2"))) {
      cluster.startAll();
      Map<Integer, String> leaders;
      try {
        leaders = cluster.awaitShardLeaders(Duration.ofSeconds(60));
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage() + "; node 1 logged:\n" + cluster.logTail("1", 30), e);
      }
      String killed = leaders.get(0);
      long before = shard0Term(cluster, killed);
      cluster.kill9(killed);
      String successor = cluster.awaitShardLeaders(Duration.ofSeconds(60)).get(0);
      long term = shard0Term(cluster, successor);
      assertTrue(term > before, "term " + term + " after " + before);
      // Exactly one line for the new leadership, on the node that took it.
      String says = "node " + successor + " leads shard 0 in term " + term;
      Await.until(
          Duration.ofSeconds(10),
          "'" + says + "' in its log",
          () -> {
            try {
              return lines(successor, says) == 1;
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      for (String id : cluster.ids()) {
        List<String> lines = log(id);
        assertTrue(lines.size() > 3, "node " + id + " logged: " + lines);
        for (String line : lines) {
          Map<String, String> f = parse(line);
          for (String field :
              List.of("timestamp", "level", "loggerName", "threadName", "formattedMessage")) {
            assertTrue(f.containsKey(field), field + " missing in " + line);
          }
          assertEquals(id, f.get("context.properties.node"), line);
        }
      }
    }
  }
}
