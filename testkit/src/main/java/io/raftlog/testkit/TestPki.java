package io.raftlog.testkit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of a test's own, writing PEM files as {@code scripts/gen-certs.sh} does:
 * {@code ca.pem}, {@code node-N.pem}/{@code node-N.key} (subject {@code CN=node-N}, names {@code
 * localhost} and {@code 127.0.0.1}, for server and client use) and {@code NAME.pem}/{@code
 * NAME.key} for a client (subject {@code CN=NAME}). Keys are EC P-256 in PKCS#8, as the node
 * expects. Also the certificates a test needs to be refused: an expired one, one not yet valid, one
 * with a long chain, and (with a second {@code TestPki}) one from another CA.
 *
 * <p>Not thread-safe; made and used by one test.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A certificate and its key, as PEM files. */
  public record Issued(Path cert, Path key) {}

  private final Path dir;
  private final String name;
  private final KeyPair caKeys;
  private final X509Certificate ca;

  private TestPki(Path dir, String name) {
    this.dir = dir;
    this.name = name;
    try {
      Files.createDirectories(dir);
      this.caKeys = newKeys();
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=" + name);
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              subject,
              serial(),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(30))),
              subject,
              caKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createSubjectKeyIdentifier(caKeys.getPublic()));
      this.ca = sign(b, caKeys);
      writePem(caFile(), List.of(ca));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the test CA", e);
    }
  }

  /** A new CA named "raftlog test CA", its {@code ca.pem} written in {@code dir}. */
  public static TestPki create(Path dir) {
    return new TestPki(dir, "raftlog test CA");
  }

  /** A new CA of another name (another CA: its certificates are foreign to the first). */
  public static TestPki create(Path dir, String caName) {
    return new TestPki(dir, caName);
  }

  public Path dir() {
    return dir;
  }

  /** The CA's certificate, {@code ca.pem}. */
  public Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** Node {@code id}'s certificate: {@code CN=node-<id>}, {@code node-<id>.pem}/{@code .key}. */
  public Issued node(String id) {
    return issue("node-" + id, "node-" + id, Duration.ZERO, Duration.ofDays(30));
  }

  /**
   * Node {@code id}'s certificate as {@link #node(String)}, also naming {@code host} (an IP address
   * or a DNS name): for a node that listens elsewhere than on loopback, e.g. in a network namespace
   * of its own, whose callers check that its certificate names the host they dialled.
   */
  public Issued node(String id, String host) {
    return issue(
        "node-" + id, "node-" + id, Duration.ZERO, Duration.ofDays(30), List.of(hostName(host)));
  }

  /** A client's certificate, {@code CN=<principal>}, in {@code <principal>.pem}/{@code .key}. */
  public Issued client(String principal) {
    return issue(principal, principal, Duration.ZERO, Duration.ofDays(30));
  }

  /** A certificate whose validity ended an hour ago, in {@code <file>.pem}/{@code .key}. */
  public Issued expired(String principal, String file) {
    return issue(principal, file, Duration.ofDays(-2), Duration.ofHours(-1));
  }

  /** A certificate valid only from tomorrow, in {@code <file>.pem}/{@code .key}. */
  public Issued notYetValid(String principal, String file) {
    return issue(principal, file, Duration.ofDays(1), Duration.ofDays(30));
  }

  /**
   * A certificate valid from {@code now + from} to {@code now + to}, {@code CN=<principal>}, with
   * the names {@code localhost} and {@code 127.0.0.1}, for server and client use.
   */
  public Issued issue(String principal, String file, Duration from, Duration to) {
    return issue(principal, file, from, to, List.of());
  }

  /** As {@link #issue(String, String, Duration, Duration)}, naming {@code more} hosts too. */
  private Issued issue(
      String principal, String file, Duration from, Duration to, List<GeneralName> more) {
    try {
      KeyPair keys = newKeys();
      Instant now = Instant.now();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              ca,
              serial(),
              Date.from(now.plus(from).minus(Duration.ofMinutes(5))),
              Date.from(now.plus(to)),
              new X500Name("CN=" + principal),
              keys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      List<GeneralName> names = new ArrayList<>();
      names.add(new GeneralName(GeneralName.dNSName, "localhost"));
      names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
      names.addAll(more);
      names.add(
          new GeneralName(
              GeneralName.uniformResourceIdentifier, "spiffe://raftlog.test/" + principal));
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      X509Certificate cert = sign(b, caKeys);
      Issued issued = new Issued(dir.resolve(file + ".pem"), dir.resolve(file + ".key"));
      writePem(issued.cert(), List.of(cert));
      writePem(
          issued.key(),
          List.of(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null)));
      return issued;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue a test certificate for " + principal, e);
    }
  }

  /**
   * {@code issued}'s certificate file again, followed by {@code extra} copies of the CA's
   * certificate: a chain far longer than any real one (a hostile client's), in {@code <file>.pem}.
   */
  public Path longChain(Issued issued, String file, int extra) {
    try {
      String leaf = Files.readString(issued.cert());
      String caPem = Files.readString(caFile());
      StringBuilder sb = new StringBuilder(leaf);
      for (int i = 0; i < extra; i++) {
        sb.append(caPem);
      }
      Path p = dir.resolve(file + ".pem");
      Files.writeString(p, sb);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "TestPki[" + name + " in " + dir + "]";
  }

  /** {@code host} as a subject alternative name: an IP address (v4 or v6) or a DNS name. */
  private static GeneralName hostName(String host) {
    boolean ip = host.matches("[0-9.]+") || host.contains(":");
    return new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host);
  }

  private static KeyPair newKeys() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return g.generateKeyPair();
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer) throws Exception {
    ContentSigner signer =
        new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(b.build(signer));
  }

  private static void writePem(Path file, List<?> objects) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (Object o : new ArrayList<>(objects)) {
        if (o instanceof org.bouncycastle.util.io.pem.PemObjectGenerator g) {
          w.writeObject(g);
        } else {
          w.writeObject(o);
        }
      }
    }
    Files.writeString(file, out.toString());
  }
}
