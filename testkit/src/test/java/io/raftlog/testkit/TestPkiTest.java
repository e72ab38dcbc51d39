package io.raftlog.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {
  @TempDir Path dir;

  @Test
  void nodeCertificateIsSignedByTheCaAndMatchesItsPkcs8Key() throws Exception {
    TestPki pki = TestPki.create(dir);
    TestPki.Issued node = pki.node("1");
    X509Certificate ca = read(pki.caFile());
    X509Certificate cert = read(node.cert());
    cert.verify(ca.getPublicKey());
    cert.checkValidity();
    assertEquals("CN=node-1", cert.getSubjectX500Principal().getName());
    String pem = Files.readString(node.key());
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"), pem);
    byte[] der =
        Base64.getMimeDecoder()
            .decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
    var key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(key);
    s.update(new byte[] {1, 2, 3});
    byte[] sig = s.sign();
    s.initVerify(cert.getPublicKey());
    s.update(new byte[] {1, 2, 3});
    assertTrue(s.verify(sig), "the key is the certificate's");
  }

  @Test
  void expiredCertificateIsExpiredAndForeignCaDoesNotVerify() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("a"));
    TestPki other = TestPki.create(dir.resolve("b"), "another CA");
    X509Certificate expired = read(pki.expired("old", "old").cert());
    assertThrows(CertificateExpiredException.class, expired::checkValidity);
    X509Certificate foreign = read(other.client("mallory").cert());
    assertThrows(
        java.security.SignatureException.class,
        () -> foreign.verify(read(pki.caFile()).getPublicKey()));
  }

  /**
   * A node in a network namespace is dialled at the namespace's address, and its callers check that
   * its certificate names it: the layout's TLS keys give it a certificate naming that address too;
   * a loopback node's names loopback only.
   */
  @Test
  void aNodeOnAHostOfItsOwnHasACertificateNamingThatHost() throws Exception {
    TestPki pki = TestPki.create(dir);
    ClusterLayout onHost =
        ClusterLayout.onHosts(List.of("10.200.7.11"), Map.of(), ClusterTls.of(pki, "mtls"));
    X509Certificate there =
        read(Path.of(onHost.properties("1", dir.resolve("d1")).getProperty("tls.cert-file")));
    assertEquals(List.of("localhost", "127.0.0.1", "10.200.7.11"), hostNames(there));
    ClusterLayout loopback = new ClusterLayout(1, Map.of(), ClusterTls.of(pki, "mtls"));
    X509Certificate here =
        read(Path.of(loopback.properties("1", dir.resolve("d2")).getProperty("tls.cert-file")));
    assertEquals(List.of("localhost", "127.0.0.1"), hostNames(here));
  }

  /** The DNS names and IP addresses a certificate names, in order. */
  private static List<String> hostNames(X509Certificate cert) throws Exception {
    return cert.getSubjectAlternativeNames().stream()
        .filter(n -> (Integer) n.get(0) == 2 || (Integer) n.get(0) == 7)
        .map(n -> (String) n.get(1))
        .toList();
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
