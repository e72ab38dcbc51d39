package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogException;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raftlog tail} against a real three-node cluster: every line through rotations and a kill
 * -9 of the tailer (a real process), multi-line events, {@code --from end}, a state file that names
 * another file, and waiting while the cluster has no majority. One cluster for the class.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TailCliTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static RaftlogClient client;

  @BeforeAll
  static void startCluster() {
    cluster = InProcessCluster.start(dir.resolve("cluster"), 3, Map.of(), RaftlogServer::start);
    cluster.awaitShardLeaders();
    client = RaftlogClient.builder().servers(servers()).build();
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String servers() {
    return String.join(",", cluster.clientAddresses());
  }

  /**
   * The "done when": lines written while the file is rotated by rename (followed live), the
   * tailer killed -9, the file copy-truncated while it is down, then again while it runs: the
   * stream holds every line once, in order.
   */
  @Test
  void everyLineArrivesOnceThroughRenameCopyTruncateAndAKill() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("rotating"));
    Path file = logs.resolve("app.log");
    Path tailLog = dir.resolve("tail-process.log");
    String stream = "tail.rotations";
    Writer w = new Writer(file);
    w.lines(3000);
    Process tailer = startTailer(file, stream, tailLog);
    try {
      awaitAtLeast(stream, 3000, tailLog); // it has the file open: a rename now is a rotation
      w.lines(2000);
      Files.move(file, logs.resolve("app.log.1")); // rotation 1: rename, followed live
      w.lines(3000);
      awaitAtLeast(stream, 5500, tailLog);
      w.lines(1000);
      tailer.destroyForcibly().waitFor(); // SIGKILL, mid-stream
      w.lines(1500);
      w.copyTruncate(logs.resolve("app.log.copy1")); // rotation 2, while the tailer is down
      w.lines(1000);
      tailer = startTailer(file, stream, tailLog);
      awaitAtLeast(stream, w.count - 500, tailLog);
      w.copyTruncate(logs.resolve("app.log.copy2")); // rotation 3, live
      w.lines(2000);
      List<String> read = awaitAtLeast(stream, w.count, tailLog);
      Thread.sleep(1000); // a duplicate would come now
      read = readAll(stream);
      assertEquals(
          w.written.size(), read.size(), difference(w.written, read) + Files.readString(tailLog));
      assertEquals(w.written, read, difference(w.written, read));
    } finally {
      tailer.destroyForcibly().waitFor();
    }
  }

  @Test
  void multilineGroupsAStackTraceIntoOneRecord() throws Exception {
    Path file = dir.resolve("stack.log");
    Files.writeString(
        file,
        """
        2026-12-05 10:00:00 INFO started
        2026-12-05 10:00:01 ERROR boom
        java.lang.IllegalStateException: boom
        \tat a.B.c(B.java:1)
        \tat a.B.main(B.java:2)
        2026-12-05 10:00:02 INFO still here
        """);
    try (InProcessTail t =
        new InProcessTail(
            file.toString(),
            "--stream",
            "tail.multiline",
            "--multiline",
            "^\\d{4}-",
            "--multiline-timeout",
            "300ms")) {
      List<String> read = awaitCount("tail.multiline", 3);
      assertEquals(
          List.of(
              "2026-12-05 10:00:00 INFO started",
              "2026-12-05 10:00:01 ERROR boom\njava.lang.IllegalStateException: boom\n"
                  + "\tat a.B.c(B.java:1)\n\tat a.B.main(B.java:2)",
              "2026-12-05 10:00:02 INFO still here"),
          read,
          t.err.toString());
    }
  }

  @Test
  void fromEndSkipsWhatIsThereAndReadsWhatComes() throws Exception {
    Path file = dir.resolve("from-end.log");
    Files.writeString(file, "old 1\nold 2\n");
    try (InProcessTail t =
        new InProcessTail(file.toString(), "--stream", "tail.from-end", "--from", "end")) {
      Await.until(
          WAIT, "the tailer starts", () -> t.err.toString().contains("starting at its end"));
      Files.writeString(file, "new 1\nnew 2\n", StandardOpenOption.APPEND);
      assertEquals(List.of("new 1", "new 2"), awaitCount("tail.from-end", 2), t.err.toString());
    }
  }

  /**
   * A tailer killed after the log appended a batch but before it heard so: its state names the
   * batch as in flight (as one saved just before the send). The next run sends those bytes again
   * with the same sequence, the log answers duplicate, and nothing is appended twice.
   */
  @Test
  void aBatchInFlightAtACrashIsSentAgainAndNotAppendedTwice() throws Exception {
    Path file = Files.createDirectories(dir.resolve("in-flight")).resolve("a.log");
    Files.writeString(file, "one\ntwo\nthree\n");
    try (InProcessTail t = new InProcessTail(file.toString(), "--stream", "tail.in-flight")) {
      awaitCount("tail.in-flight", 3);
      Await.until(WAIT, "the state is saved idle", () -> state(file).contains("pending.end=-1"));
    }
    Path stateFile = file.resolveSibling(".a.log.to-tail.in-flight.raftlog-tail");
    String saved = Files.readString(stateFile);
    assertTrue(saved.contains("sequence=1") && saved.contains("position=14"), saved);
    // what the state said while the only batch was in flight
    Files.writeString(
        stateFile,
        saved
            .replace("sequence=1", "sequence=0")
            .replace("position=14", "position=0")
            .replace("pending.end=-1", "pending.end=14"));
    Files.writeString(file, "four\n", StandardOpenOption.APPEND);
    try (InProcessTail t = new InProcessTail(file.toString(), "--stream", "tail.in-flight")) {
      awaitCount("tail.in-flight", 4);
      Thread.sleep(500);
      assertEquals(
          List.of("one", "two", "three", "four"), readAll("tail.in-flight"), t.err.toString());
    }
  }

  private static String state(Path file) {
    try {
      return Files.readString(
          file.resolveSibling("." + file.getFileName() + ".to-tail.in-flight.raftlog-tail"));
    } catch (IOException e) {
      return "";
    }
  }

  /** A state file saved for one file, beside another (another inode): not trusted, all is read. */
  @Test
  void aStateFileOfAnotherFileIsNotTrusted() throws Exception {
    Path first = Files.createDirectories(dir.resolve("untrusted")).resolve("a.log");
    Files.writeString(first, "a 1\na 2\na 3\n");
    try (InProcessTail t = new InProcessTail(first.toString(), "--stream", "tail.untrusted")) {
      awaitCount("tail.untrusted", 3);
    }
    Files.delete(first);
    Files.writeString(first, "b 1\nb 2\nb 3\nb 4\n"); // same name, another file, longer
    try (InProcessTail t = new InProcessTail(first.toString(), "--stream", "tail.untrusted")) {
      List<String> read = awaitCount("tail.untrusted", 7);
      assertEquals(List.of("a 1", "a 2", "a 3", "b 1", "b 2", "b 3", "b 4"), read);
      assertTrue(t.err.toString().contains("not trusted"), t.err.toString());
    }
  }

  /**
   * No majority: the tailer says once that it waits, holds no more than one batch (here 20 lines of
   * 100 bytes in 2 KiB), and delivers everything once the majority is back.
   */
  @Test
  void waitsWithBoundedMemoryWhileTheClusterHasNoMajority() throws Exception {
    Path file = dir.resolve("outage.log");
    String stream = "tail.outage";
    Writer w = new Writer(file);
    w.lines(100);
    try (InProcessTail t =
        new InProcessTail(
            file.toString(), "--stream", stream, "--deadline", "1s", "--batch-bytes", "2KiB")) {
      awaitCount(stream, 100);
      List<String> stopped = new ArrayList<>(cluster.ids().subList(1, 3));
      stopped.forEach(cluster::stopNode);
      try {
        w.lines(3000);
        Await.until(
            WAIT,
            "the tailer says it waits",
            () -> t.err.toString().contains("waiting for the cluster"));
        Thread.sleep(1500); // more retries: still one line
        String err = t.err.toString();
        assertEquals(1, count(err, "waiting for the cluster"), err);
        Matcher held = Pattern.compile("holding (\\d+) lines").matcher(err);
        assertTrue(held.find(), err);
        assertTrue(Integer.parseInt(held.group(1)) <= 21, err);
      } finally {
        stopped.forEach(cluster::startNode);
      }
      List<String> read = awaitCount(stream, w.count);
      assertEquals(w.written, read);
      Await.until(
          WAIT,
          "the tailer says the cluster is back",
          () -> t.err.toString().contains("the cluster is back"));
    }
  }

  /** Where {@code read} first differs from {@code written}, which lines are missing, twice. */
  private static String difference(List<String> written, List<String> read) {
    int i = 0;
    while (i < Math.min(written.size(), read.size()) && written.get(i).equals(read.get(i))) {
      i++;
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    List<String> twice =
        read.stream().filter(l -> !seen.add(l)).map(l -> l.substring(0, 12)).toList();
    List<String> missing =
        written.stream().filter(l -> !seen.contains(l)).map(l -> l.substring(0, 12)).toList();
    return String.format(
        "%d lines written, %d read; first difference at %d; missing %s; twice %s%n",
        written.size(), read.size(), i, cap(missing), cap(twice));
  }

  private static String cap(List<String> lines) {
    return lines.size() <= 10
        ? lines.toString()
        : lines.subList(0, 5) + "... " + lines.size() + " in all ..." + lines.get(lines.size() - 1);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  private static Process startTailer(Path file, String stream, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx128m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            "io.raftlog.cli.RaftlogCli",
            "tail",
            file.toString(),
            "--stream",
            stream,
            "--servers",
            servers())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private static List<String> awaitAtLeast(String stream, int n, Path tailLog) throws IOException {
    try {
      return awaitCount(stream, n);
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + " (it holds "
              + readAll(stream).size()
              + "); the tailer said:\n"
              + Files.readString(tailLog),
          e);
    }
  }

  private static List<String> awaitCount(String stream, int n) {
    List<String> read =
        Await.value(
            WAIT,
            "the stream " + stream + " holds " + n + " lines",
            () -> {
              List<String> r = readAll(stream);
              return r.size() >= n ? r : null;
            });
    return read;
  }

  private static List<String> readAll(String stream) {
    List<String> values = new ArrayList<>();
    long next = 0;
    try {
      while (true) {
        ConsumeResponse r = client.consume(stream, next, 5000);
        if (r.getRecordsCount() == 0) {
          return values;
        }
        for (Record rec : r.getRecordsList()) {
          values.add(rec.getValue().toStringUtf8());
        }
        next += r.getRecordsCount(); // next_offset is the stream's end, not this answer's
      }
    } catch (RaftlogException e) {
      if (e.code() == Status.Code.NOT_FOUND) {
        return values;
      }
      throw e;
    }
  }

  /** Writes numbered lines of about 100 bytes, appending as a logging application does. */
  private static final class Writer {
    final Path file;
    final List<String> written = new ArrayList<>();
    int count;

    Writer(Path file) {
      this.file = file;
    }

    void lines(int n) throws IOException, InterruptedException {
      for (int chunk = 0; chunk < n; chunk += 500) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(500, n - chunk); i++) {
          String line = String.format("line %07d %s", ++count, "x".repeat(88));
          written.add(line);
          b.append(line).append('\n');
        }
        Files.writeString(
            file, b, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Thread.sleep(20);
      }
    }

    /** logrotate's copytruncate: the file copied aside, then truncated in place. */
    void copyTruncate(Path copy) throws IOException {
      Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(0);
      }
    }
  }

  /** The CLI's tail in this JVM; closing it is the Ctrl-C. */
  private static final class InProcessTail implements AutoCloseable {
    final StringWriter err = new StringWriter();
    final AtomicInteger exit = new AtomicInteger(-1);
    final Thread thread;

    InProcessTail(String... args) {
      List<String> all = new ArrayList<>(List.of("tail", "--servers", servers(), "--poll", "50ms"));
      all.addAll(List.of(args));
      thread =
          new Thread(() -> exit.set(Cli.run(new StringWriter(), err, all.toArray(String[]::new))));
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      thread.interrupt();
      thread.join(15_000);
      assertEquals(0, exit.get(), err.toString());
    }
  }
}
