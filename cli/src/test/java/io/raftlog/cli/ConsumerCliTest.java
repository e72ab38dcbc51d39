package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.client.RaftlogClient;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's retention, truncation and named-consumer commands end to end against one real
 * three-node cluster in this JVM; each test has its own streams.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConsumerCliTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static RaftlogClient client;
  static String servers;

  @BeforeAll
  static void startCluster() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
    servers = String.join(",", cluster.ids().stream().map(cluster::clientAddress).toList());
    client = RaftlogClient.builder().servers(servers).build();
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

  static Cli.Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--servers", servers));
    return Cli.run(all.toArray(String[]::new));
  }

  static void produce(String stream, String prefix, int from, int n) {
    List<Record> records = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      records.add(Record.newBuilder().setValue(ByteString.copyFromUtf8(prefix + i)).build());
    }
    client.produce(stream, records);
  }

  static List<String> values(String prefix, int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(prefix + i);
    }
    return out;
  }

  static void assertOk(Cli.Result r) {
    assertEquals(0, r.exitCode(), r::toString);
    assertEquals("", r.err(), r::toString);
  }

  static void assertRejected(Cli.Result r, String code) {
    assertEquals(4, r.exitCode(), r::toString);
    assertEquals(1, r.errLines().size(), r::toString);
    assertTrue(r.err().startsWith("raftlog: "), r::toString);
    assertTrue(r.err().contains(code), r::toString);
  }

  @Test
  void aConsumerStoppedByMaxResumesAfterWhatItPrintedWithNoGapAndNoRepeat() {
    produce("orders", "o", 0, 100);
    List<String> printed = new ArrayList<>();
    Cli.Result first = cli("consume", "--stream", "orders", "--consumer", "billing", "--max", "30");
    assertOk(first);
    printed.addAll(first.outLines());
    Cli.Result second =
        cli("consume", "--stream", "orders", "--consumer", "billing", "--max", "45", "--follow");
    assertOk(second);
    printed.addAll(second.outLines());
    Cli.Result rest = cli("consume", "--stream", "orders", "--consumer", "billing");
    assertOk(rest);
    printed.addAll(rest.outLines());
    assertEquals(values("o", 0, 100), printed);
    assertEquals(
        List.of(30, 45, 25),
        List.of(first.outLines().size(), second.outLines().size(), rest.outLines().size()));

    Cli.Result list = cli("consumers", "list", "orders");
    assertOk(list);
    assertTrue(
        list.outLines().get(0).matches("NAME\\s+COMMITTED\\s+LAG\\s+LAST COMMIT"), list::toString);
    assertTrue(
        list.outLines().get(1).matches("billing\\s+100\\s+0\\s+20\\d\\d-.*Z"), list::toString);
    Cli.Result describe = cli("consumers", "describe", "orders", "billing");
    assertOk(describe);
    assertTrue(describe.out().contains("committed:     100\n"), describe::toString);
    assertTrue(describe.out().contains("lag:           0\n"), describe::toString);
  }

  @Test
  void aConsumerStoppedByAnInterruptCommitsWhatItPrintedAndResumesAfterIt() throws Exception {
    produce("tail", "t", 0, 200);
    // Records keep coming while it prints. It is interrupted, as Ctrl-C does, while it prints the
    // 250th line: after the records are out and before their commit, so only its last commit
    // before exiting stores them.
    CompletableFuture<Void> more =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 200; i < 400; i += 10) {
                produce("tail", "t", i, 10);
              }
            });
    CompletableFuture<Integer> run = new CompletableFuture<>();
    StringWriter err = new StringWriter();
    InterruptAtLine out = new InterruptAtLine(250);
    Thread consumer =
        new Thread(
            () -> {
              out.thread = Thread.currentThread();
              run.complete(
                  Cli.run(
                      out,
                      err,
                      "consume",
                      "--stream",
                      "tail",
                      "--consumer",
                      "reader",
                      "--follow",
                      "--servers",
                      servers));
            },
            "cli-consume");
    consumer.start();
    assertEquals(130, run.get(60, TimeUnit.SECONDS), () -> out + "\n" + err);
    more.get(30, TimeUnit.SECONDS);
    List<String> printed = new ArrayList<>(out.toString().lines().toList());
    assertTrue(printed.size() >= 250, printed.size() + " printed");
    assertTrue(
        err.toString().contains("interrupted; consumer reader committed offset " + printed.size()),
        err::toString);

    Cli.Result rest = cli("consume", "--stream", "tail", "--consumer", "reader");
    assertOk(rest);
    printed.addAll(rest.outLines());
    assertEquals(values("t", 0, 400), printed);
  }

  /** Standard output that interrupts the printing thread as it writes line {@code n}. */
  static final class InterruptAtLine extends StringWriter {
    private final int n;
    private int lines;
    volatile Thread thread;

    InterruptAtLine(int n) {
      this.n = n;
    }

    @Override
    public void write(String str, int off, int len) {
      super.write(str, off, len);
      for (int i = off; i < off + len; i++) {
        if (str.charAt(i) == '\n' && ++lines == n) {
          thread.interrupt();
        }
      }
    }

    @Override
    public void write(String str) {
      write(str, 0, str.length()); // StringWriter's own appends without the count
    }

    @Override
    public void write(int c) {
      write(String.valueOf((char) c));
    }

    @Override
    public void write(char[] cbuf, int off, int len) {
      write(new String(cbuf, off, len));
    }
  }

  @Test
  void createUpdateTruncateAndShowRetentionInHumanUnits() {
    Cli.Result created =
        cli(
            "streams",
            "create",
            "logs",
            "--retention-age",
            "7d",
            "--retention-bytes",
            "20MB",
            "--retention-records",
            "1000",
            "--hold-for-consumers");
    assertOk(created);
    assertTrue(
        created.out().contains("retention 7d, 20 MB, 1000 records, holds for consumers"),
        created::toString);

    Cli.Result updated =
        cli("streams", "update", "logs", "--retention-bytes", "1GiB", "--no-hold-for-consumers");
    assertOk(updated);
    assertEquals(
        "updated stream 'logs': retention 7d, 1 GiB, 1000 records\n",
        updated.out(),
        updated::toString);

    produce("logs", "l", 0, 10);
    Cli.Result truncated = cli("streams", "truncate", "logs", "--before", "4");
    assertOk(truncated);
    assertEquals("truncated stream 'logs': first offset 4, next offset 10\n", truncated.out());

    Cli.Result describe = cli("streams", "describe", "logs");
    assertOk(describe);
    assertTrue(describe.out().contains("first offset:  4\n"), describe::toString);
    assertTrue(
        describe.out().contains("retention:     7d, 1 GiB, 1000 records\n"), describe::toString);
    assertTrue(
        describe.out().matches("(?s).*stored:        \\d+(\\.\\d)? (B|KB|KiB)\n.*"),
        describe::toString);

    Cli.Result list = cli("streams", "list", "--prefix", "logs");
    assertOk(list);
    assertTrue(
        list.outLines()
            .get(0)
            .matches(
                "NAME\\s+SHARD\\s+LEADER\\s+FIRST OFFSET\\s+NEXT OFFSET\\s+STORED\\s+RETENTION"),
        list::toString);
    assertTrue(list.outLines().get(1).startsWith("logs "), list::toString);
    assertTrue(list.outLines().get(1).endsWith("  7d, 1 GiB, 1000 records"), list::toString);

    Cli.Result none =
        cli(
            "streams",
            "update",
            "logs",
            "--retention-age",
            "0",
            "--retention-bytes",
            "0",
            "--retention-records",
            "0");
    assertOk(none);
    assertTrue(none.out().endsWith("retention none\n"), none::toString);

    assertRejected(cli("streams", "truncate", "logs", "--before", "11"), "OUT_OF_RANGE");
    assertRejected(cli("streams", "update", "no-such", "--retention-age", "1d"), "NOT_FOUND");
  }

  @Test
  void readsStartAtEarliestLatestOrATimeAndFollowTheResetPolicy() throws Exception {
    produce("events", "a", 0, 20);
    Thread.sleep(50);
    String cut = Instant.now().toString();
    Thread.sleep(50);
    produce("events", "b", 0, 5);

    Cli.Result byTime = cli("consume", "--stream", "events", "--from", cut);
    assertOk(byTime);
    assertEquals(values("b", 0, 5), byTime.outLines());

    cli("streams", "truncate", "events", "--before", "10");
    Cli.Result earliest = cli("consume", "--stream", "events", "--from", "earliest", "--max", "3");
    assertOk(earliest);
    assertEquals(values("a", 10, 13), earliest.outLines());
    Cli.Result latest = cli("consume", "--stream", "events", "--from", "latest");
    assertOk(latest);
    assertEquals("", latest.out());

    Cli.Result fail = cli("consume", "--stream", "events", "--from", "3");
    assertRejected(fail, "OUT_OF_RANGE");
    assertTrue(fail.err().contains("removed"), fail::toString);
    Cli.Result reset =
        cli("consume", "--stream", "events", "--from", "3", "--reset", "earliest", "--max", "2");
    assertOk(reset);
    assertEquals(values("a", 10, 12), reset.outLines());
    Cli.Result follow =
        cli(
            "consume",
            "--stream",
            "events",
            "--from",
            "3",
            "--reset",
            "EARLIEST",
            "--max",
            "2",
            "--follow",
            "--format",
            "json");
    assertOk(follow);
    assertTrue(follow.outLines().get(0).startsWith("{\"offset\":10,"), follow::toString);
    Cli.Result skip = cli("consume", "--stream", "events", "--from", "3", "--reset", "latest");
    assertOk(skip);
    assertEquals("", skip.out());
  }

  @Test
  void consumersCommitRewindsOnlyWithForceAndDeleteForgets() {
    produce("ledger", "x", 0, 10);
    assertOk(cli("consume", "--stream", "ledger", "--consumer", "audit"));
    assertRejected(cli("consumers", "commit", "ledger", "audit", "3"), "FAILED_PRECONDITION");
    Cli.Result rewound = cli("consumers", "commit", "ledger", "audit", "3", "--force");
    assertOk(rewound);
    assertEquals("consumer 'audit' of stream 'ledger' committed offset 3 (lag 7)\n", rewound.out());
    Cli.Result again = cli("consume", "--stream", "ledger", "--consumer", "audit");
    assertEquals(values("x", 3, 10), again.outLines(), again::toString);
    assertRejected(cli("consumers", "commit", "ledger", "audit", "11"), "OUT_OF_RANGE");

    Cli.Result deleted = cli("consumers", "delete", "ledger", "audit");
    assertOk(deleted);
    assertEquals(
        "deleted consumer 'audit' of stream 'ledger' (it had committed offset 10)\n",
        deleted.out());
    assertRejected(cli("consumers", "describe", "ledger", "audit"), "NOT_FOUND");
    Cli.Result empty = cli("consumers", "list", "ledger");
    assertOk(empty);
    assertEquals(1, empty.outLines().size(), empty::toString);
  }

  @Test
  void badFlagsAreUsageErrorsNamingTheOptionAndWhatItAccepts() {
    String[][] cases = {
      {"--retention-bytes", "KiB", "streams", "create", "s", "--retention-bytes", "20M"},
      {"--retention-age", "1h30m", "streams", "create", "s", "--retention-age", "7y"},
      {"--retention-records", ">= 0", "streams", "create", "s", "--retention-records", "-1"},
      {"nothing to change", "--retention-age", "streams", "update", "s"},
      {"--from", "ISO-8601", "consume", "--from", "yesterday"},
      {"--reset", "FAIL", "consume", "--from", "0", "--reset", "sometimes"},
      {"--consumer", "consumer name", "consume", "--consumer", "no spaces"},
      {"--from", "--consumer", "consume", "--stream", "s"},
      {"OFFSET", ">= 0", "consumers", "commit", "s", "c", "-5"},
      {"--before", "", "streams", "truncate", "s"},
      {"NAME", "", "consumers", "describe", "s"},
    };
    for (String[] c : cases) {
      String[] args = java.util.Arrays.copyOfRange(c, 2, c.length);
      Cli.Result r = Cli.run(args);
      assertEquals(2, r.exitCode(), () -> String.join(" ", args) + "\n" + r);
      assertEquals("", r.out(), r::toString);
      assertTrue(r.err().contains(c[0]), () -> c[0] + " in\n" + r);
      assertTrue(r.err().contains(c[1]), () -> c[1] + " in\n" + r);
      assertFalse(r.err().contains("\tat "), r::toString);
    }
  }
}
