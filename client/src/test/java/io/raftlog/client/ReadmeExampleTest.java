package io.raftlog.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.ConsumerInfo;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java example of README.md compiles, runs against a real cluster, and is the README's text.
 */
class ReadmeExampleTest {
  @TempDir Path dir;

  static void example(String servers) throws Exception {
    // README:begin
    try (RaftlogClient client = RaftlogClient.builder().servers(servers).build()) {
      // Batched per shard, idempotent, ordered per stream; the future completes once a majority of
      // the stream's shard has the record. A stream is created by its first write.
      CompletableFuture<Long> offset = client.producer().send("greetings", "hello".getBytes(UTF_8));
      client.producer().send("greetings", "world".getBytes(UTF_8));
      client.producer().flush();

      // Synchronous: one batch, its offsets in the stream.
      List<Long> offsets =
          client.produce(
              "greetings",
              List.of(Record.newBuilder().setValue(ByteString.copyFromUtf8("!")).build()));
      System.out.println("appended at " + offsets);

      // Follow the stream from its first record; survives leader changes.
      try (Subscription tail = client.subscribe("greetings", offset.get())) {
        for (Record r : tail.poll(Duration.ofSeconds(5))) {
          System.out.println(r.getOffset() + " " + r.getValue().toStringUtf8());
        }
      }
    }
    // README:end
  }

  static void consumerExample(String servers) {
    try (RaftlogClient client = RaftlogClient.builder().servers(servers).build()) {
      // README:consumer:begin
      // A named consumer: starts from its committed offset (the first time, from the stream's
      // first record), commits what poll handed out every 5 s and on close: at least once.
      SubscribeOptions billing =
          SubscribeOptions.consumer("billing").withReset(OffsetReset.OFFSET_RESET_EARLIEST);
      try (Subscription orders = client.subscribe("orders", billing)) {
        for (Record r : orders.poll(Duration.ofSeconds(5))) {
          System.out.println("billing " + r.getOffset());
        }
        orders.commit(); // now, rather than at the next interval
      }
      ConsumerInfo c = client.getConsumer("orders", "billing");
      System.out.println("committed " + c.getCommittedOffset() + ", lag " + c.getLag());
      // README:consumer:end
    }
  }

  @Test
  void theReadmeConsumerExampleRunsAgainstARealCluster() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(dir, 3, RaftlogServer::start)) {
      String servers = cluster.clientAddress(cluster.aFollower());
      try (RaftlogClient client = RaftlogClient.builder().servers(servers).build()) {
        client.produce(
            "orders",
            List.of(
                Record.newBuilder().setValue(ByteString.copyFromUtf8("a")).build(),
                Record.newBuilder().setValue(ByteString.copyFromUtf8("b")).build()));
      }
      PrintStream stdout = System.out;
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      System.setOut(new PrintStream(printed, true, UTF_8));
      try {
        consumerExample(servers);
        consumerExample(servers); // resumes after its commit: nothing more to print
      } finally {
        System.setOut(stdout);
      }
      assertEquals(
          List.of("billing 0", "billing 1", "committed 2, lag 0", "committed 2, lag 0"),
          // The nodes run in this JVM and log to the console too, some entries over several lines
          // (a JRaft request dump, a stack trace): keep only what the example prints.
          printed
              .toString(UTF_8)
              .lines()
              .filter(l -> l.matches("^billing \\d+$|^committed \\d+, lag \\d+$"))
              .toList());
    }
  }

  @Test
  void theReadmeExampleRunsAgainstARealCluster() throws Exception {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(dir, 3, RaftlogServer::start)) {
      PrintStream stdout = System.out;
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      System.setOut(new PrintStream(printed, true, UTF_8));
      try {
        example(cluster.clientAddress(cluster.aFollower()));
      } finally {
        System.setOut(stdout);
      }
      assertEquals(
          List.of("appended at [2]", "0 hello", "1 world", "2 !"),
          // The nodes run in this JVM and log to the console too, some entries over several lines
          // (a JRaft request dump, a stack trace): keep only what the example prints.
          printed
              .toString(UTF_8)
              .lines()
              .filter(l -> l.matches("^appended at \\[.*\\]$|^\\d+ \\S+$"))
              .toList());
    }
  }

  @Test
  void theReadmeShowsThisExampleVerbatim() throws IOException {
    String source =
        Files.readString(Path.of("src/test/java/io/raftlog/client/ReadmeExampleTest.java"));
    String readme = Files.readString(Path.of("../README.md"));
    String snippet = between(source, "    // README:begin\n", "    // README:end\n", 4);
    assertTrue(
        readme.contains(snippet),
        "README.md must contain the example of ReadmeExampleTest, unindented:\n" + snippet);
    String consumer =
        between(source, "      // README:consumer:begin\n", "      // README:consumer:end\n", 6);
    assertTrue(
        readme.contains(consumer),
        "README.md must contain the consumer example of ReadmeExampleTest, unindented:\n"
            + consumer);
  }

  private static String between(String text, String begin, String end, int indent) {
    String block = text.substring(text.indexOf(begin) + begin.length(), text.indexOf(end));
    return block
        .lines()
        .map(l -> l.length() >= indent ? l.substring(indent) : l.strip())
        .collect(Collectors.joining("\n", "", "\n"));
  }
}
