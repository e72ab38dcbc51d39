package io.raftlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.ClusterTls;
import io.raftlog.testkit.TestPki;
import io.raftlog.tls.TlsFileException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A node given a certificate file it cannot use does not start: {@code PemFiles}' message names the
 * key, the file and the problem, before the node opens a port, and {@code raftlog-server} exits
 * with a non-zero code. (Each kind of bad file is {@code PemFilesTest}'s.)
 */
class TlsStartupErrorsTest {
  @TempDir Path dir;

  @Test
  void aNodeWithAnExpiredCertificateRefusesToStartNamingTheFileAndTheProblem() {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    TestPki.Issued expired = pki.expired("node-1", "node-1-expired");
    Properties config =
        config(
            pki,
            Map.of(
                "tls.cert-file", expired.cert().toString(),
                "tls.key-file", expired.key().toString()));

    TlsFileException e = assertThrows(TlsFileException.class, () -> RaftlogServer.start(config));

    assertTrue(e.getMessage().startsWith("tls.cert-file " + expired.cert() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("expired on"), e.getMessage());
  }

  @Test
  void raftlogServerExitsNonZeroOnAKeyThatIsNotTheCertificatesAndOnMissingFiles() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    TestPki.Issued other = pki.client("someone-else");
    Properties wrongKey = config(pki, Map.of("tls.key-file", other.key().toString()));
    Run run = serverMain(wrongKey);
    assertEquals(1, run.exitCode(), run.stderr());
    assertTrue(
        run.stderr()
            .contains("tls.key-file " + other.key() + ": is not the key of the certificate"),
        run.stderr());

    Properties noFiles = config(pki, Map.of("tls.cert-file", ""));
    run = serverMain(noFiles);
    assertEquals(2, run.exitCode(), run.stderr());
    assertTrue(run.stderr().contains("tls.cert-file is empty"), run.stderr());
  }

  /** Node 1 of a one-node mTLS cluster, its TLS keys overridden by {@code changes}. */
  private Properties config(TestPki pki, Map<String, String> changes) {
    ClusterLayout layout = new ClusterLayout(1, Map.of(), ClusterTls.of(pki, "mtls"));
    Properties p = layout.properties("1", dir.resolve("data"));
    p.putAll(changes);
    return p;
  }

  private record Run(int exitCode, String stderr) {}

  /** Runs {@code raftlog-server --config FILE} in this JVM, as its main would. */
  private Run serverMain(Properties config) throws Exception {
    Path file = dir.resolve("node-" + System.nanoTime() + ".properties");
    try (var w = Files.newBufferedWriter(file)) {
      config.store(w, null);
    }
    Map<String, String> saved = new HashMap<>();
    for (String k :
        new String[] {"raftlog.node.id", "logback.middleware.log.disable", "logging.path"}) {
      saved.put(k, System.getProperty(k));
    }
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      int code = new CommandLine(new ServerMain()).execute("--config", file.toString());
      return new Run(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(err);
      saved.forEach(
          (k, v) -> {
            if (v == null) {
              System.clearProperty(k);
            } else {
              System.setProperty(k, v);
            }
          });
    }
  }
}
