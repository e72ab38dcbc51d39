package io.raftlog.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each file a node cannot use stops it with a message naming the file and the problem. */
class PemFilesTest {
  @TempDir static Path dir;
  static TestPki pki;
  static TestPki other;

  @BeforeAll
  static void certificates() {
    pki = TestPki.create(dir.resolve("ca"));
    other = TestPki.create(dir.resolve("other"), "another CA");
  }

  private static TlsSettings settings(Path cert, Path key, Path ca) {
    return new TlsSettings(
        "mtls",
        "mtls",
        "refused",
        cert,
        key,
        ca,
        Duration.ofSeconds(5),
        new Principals("cn", "node-{id}"));
  }

  @Test
  void goodFilesLoad() {
    TestPki.Issued n = pki.node("1");
    PemFiles.Identity id = PemFiles.load(settings(n.cert(), n.key(), pki.caFile()));
    assertEquals("node-1", new Principals("cn", "node-{id}").of(id.leaf()));
    assertEquals("1", new Principals("cn", "node-{id}").nodeId("node-1"));
  }

  @Test
  void expiredCertificateIsNamed() {
    TestPki.Issued old = pki.expired("node-1", "old");
    TlsFileException e =
        assertThrows(
            TlsFileException.class,
            () -> PemFiles.load(settings(old.cert(), old.key(), pki.caFile())));
    assertTrue(e.getMessage().startsWith("tls.cert-file " + old.cert() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("expired on"), e.getMessage());
  }

  @Test
  void certificateOfAnotherCaIsNamed() {
    TestPki.Issued foreign = other.node("1");
    TlsFileException e =
        assertThrows(
            TlsFileException.class,
            () -> PemFiles.load(settings(foreign.cert(), foreign.key(), pki.caFile())));
    assertTrue(e.getMessage().contains("was not issued by a CA of tls.ca-file"), e.getMessage());
  }

  @Test
  void keyOfAnotherCertificateIsNamed() {
    TestPki.Issued a = pki.node("1");
    TestPki.Issued b = pki.client("alice");
    TlsFileException e =
        assertThrows(
            TlsFileException.class, () -> PemFiles.load(settings(a.cert(), b.key(), pki.caFile())));
    assertTrue(
        e.getMessage().startsWith("tls.key-file " + b.key() + ": is not the key"), e.getMessage());
  }

  @Test
  void missingAndNonPemFilesAreNamed() throws Exception {
    TestPki.Issued a = pki.node("1");
    Path missing = dir.resolve("nope.pem");
    assertEquals(
        "tls.ca-file " + missing + ": does not exist",
        assertThrows(
                TlsFileException.class, () -> PemFiles.load(settings(a.cert(), a.key(), missing)))
            .getMessage());
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
    assertTrue(
        assertThrows(
                TlsFileException.class,
                () -> PemFiles.load(settings(garbage, a.key(), pki.caFile())))
            .getMessage()
            .contains("holds no PEM certificate"));
  }
}
