package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.ClusterTls;
import io.raftlog.testkit.Commands;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a real node in mutual TLS (both its ports in {@code mtls}, certificates of the
 * test's CA): with the client certificate from the environment it produces and consumes; without
 * one, or in plaintext, it is refused and says why in one line, at once. And README's TLS form of
 * {@code buf curl}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliTlsTest {
  static final Path BUF = Path.of("..", "tools", "node_modules", ".bin", "buf").toAbsolutePath();

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static TestPki pki;
  static Map<String, String> env;
  static String node;

  @BeforeAll
  static void start() {
    pki = TestPki.create(dir.resolve("pki"));
    cluster =
        InProcessCluster.start(
            dir.resolve("cluster"),
            1,
            Map.of("tls.raft.mode", "mtls"),
            ClusterTls.of(pki, "mtls"),
            RaftlogServer::start);
    node = cluster.clientAddress(cluster.awaitLeader());
    TestPki.Issued me = pki.client("cli");
    env =
        Map.of(
            "RAFTLOG_SERVERS", node,
            "RAFTLOG_CA", pki.caFile().toString(),
            "RAFTLOG_CERT", me.cert().toString(),
            "RAFTLOG_KEY", me.key().toString());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theClientCertificateFromTheEnvironmentProducesAndConsumes() {
    Cli.Result produced =
        Cli.run(new byte[0], env, "produce", "--stream", "tls.cli", "--key", "k", "one", "two");
    RaftlogCliTest.assertOk(produced);
    Cli.Result read =
        Cli.run(new byte[0], env, "consume", "--stream", "tls.cli", "--from", "0", "--max", "2");
    RaftlogCliTest.assertOk(read);
    assertEquals(List.of("one", "two"), read.outLines(), read::toString);
  }

  /** README's TLS form of buf curl: the CA, the client certificate and key, an https address. */
  @Test
  void bufCurlWithTheClientCertificateProducesAndConsumes() throws Exception {
    TestPki.Issued me = pki.client("buf");
    List<String> tls =
        List.of(
            BUF.toString(),
            "curl",
            "--protocol",
            "grpc",
            "--cacert",
            pki.caFile().toString(),
            "--cert",
            me.cert().toString(),
            "--key",
            me.key().toString());
    List<String> produce = new ArrayList<>(tls);
    produce.addAll(
        List.of(
            "-d",
            "{\"stream\":\"tls.buf\",\"records\":[{\"value\":\"aGVsbG8=\"}]}",
            "https://" + node + "/raftlog.v1.Log/Produce"));
    String produced = Commands.run(Duration.ofSeconds(30), produce).orThrow();
    assertTrue(produced.contains("\"recordCount\": 1"), produced);
    List<String> consume = new ArrayList<>(tls);
    consume.addAll(
        List.of(
            "-d",
            "{\"stream\":\"tls.buf\",\"offset\":0,\"max_records\":10}",
            "https://" + node + "/raftlog.v1.Log/Consume"));
    String consumed = Commands.run(Duration.ofSeconds(30), consume).orThrow();
    assertTrue(consumed.contains("\"value\": \"aGVsbG8=\""), consumed);
  }

  @Test
  void aClientWithoutACertificateIsRefusedInOneLine() {
    long start = System.nanoTime();
    Cli.Result r =
        Cli.run(
            new byte[0],
            Map.of("RAFTLOG_CA", pki.caFile().toString()),
            "consume",
            "-s",
            node,
            "--stream",
            "tls.cli",
            "--from",
            "0");
    assertEquals(3, r.exitCode(), r::toString);
    RaftlogCliTest.assertOneErrorLine(r);
    assertTrue(
        r.err().contains("cannot reach " + node + " with TLS: the node refused the client"),
        r::toString);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), r::toString);
  }

  @Test
  void aPlaintextClientIsRefusedWithAHint() {
    Cli.Result r = Cli.run("cluster", "-s", node, "--deadline", "2s");
    assertEquals(3, r.exitCode(), r::toString);
    RaftlogCliTest.assertOneErrorLine(r);
    assertTrue(r.err().contains("give --ca, and --cert and --cert-key"), r::toString);
  }
}
