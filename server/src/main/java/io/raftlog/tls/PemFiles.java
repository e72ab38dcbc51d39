package io.raftlog.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's PEM files read and checked together, so that each problem is reported once, naming the
 * file: unreadable, no certificate or key in it, a key not in PKCS#8, an expired or not yet valid
 * certificate, a certificate no CA of {@code tls.ca-file} issued, a key that is not the
 * certificate's. Used at start (a problem stops the node) and at each reload (a problem keeps the
 * files in use). Stateless; any thread.
 */
public final class PemFiles {
  private PemFiles() {}

  /** A node's identity and trust, read from its three files and checked against each other. */
  public record Identity(List<X509Certificate> chain, PrivateKey key, List<X509Certificate> cas) {
    public X509Certificate leaf() {
      return chain.get(0);
    }
  }

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

  /** More than this in a PEM file is no certificate of ours (a hostile or mistaken file). */
  static final int MAX_FILE_BYTES = 1 << 20;

  /** Reads {@code settings}' three files and checks them; throws naming the first problem. */
  public static Identity load(TlsSettings settings) {
    List<X509Certificate> cas = certificates("tls.ca-file", settings.ca());
    List<X509Certificate> chain = certificates("tls.cert-file", settings.cert());
    PrivateKey key = privateKey("tls.key-file", settings.key());
    checkValid("tls.ca-file", settings.ca(), cas);
    checkValid("tls.cert-file", settings.cert(), chain);
    checkIssued(settings.cert(), chain, cas, settings.ca());
    checkKeyMatches(settings.key(), key, chain.get(0), settings.cert());
    return new Identity(List.copyOf(chain), key, List.copyOf(cas));
  }

  /** Every certificate of a PEM file, in order; at least one. */
  public static List<X509Certificate> certificates(String key, Path file) {
    String text = read(key, file);
    List<X509Certificate> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      while (m.find()) {
        if (m.group(1).equals("CERTIFICATE")) {
          out.add(
              (X509Certificate)
                  f.generateCertificate(new ByteArrayInputStream(decode(key, file, m.group(2)))));
        }
      }
    } catch (CertificateException e) {
      throw new TlsFileException(key, file, "holds a certificate that cannot be parsed", e);
    }
    if (out.isEmpty()) {
      throw new TlsFileException(
          key, file, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return out;
  }

  /** The PKCS#8 private key of a PEM file (RSA or EC). */
  public static PrivateKey privateKey(String key, Path file) {
    String text = read(key, file);
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      if (type.equals("PRIVATE KEY")) {
        byte[] der = decode(key, file, m.group(2));
        for (String alg : List.of("EC", "RSA", "Ed25519")) {
          try {
            return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
          } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException next) {
            // try the next algorithm
          }
        }
        throw new TlsFileException(key, file, "holds a private key that is not EC, RSA or Ed25519");
      }
      if (type.endsWith("PRIVATE KEY")) {
        throw new TlsFileException(
            key,
            file,
            "holds a "
                + type
                + ", not PKCS#8: convert it with `openssl pkcs8 -topk8 -nocrypt -in "
                + file
                + "`");
      }
    }
    throw new TlsFileException(key, file, "holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }

  private static String read(String key, Path file) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new TlsFileException(key, file, "is larger than 1 MiB: not a PEM file of ours");
      }
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new TlsFileException(key, file, "does not exist");
    } catch (AccessDeniedException e) {
      throw new TlsFileException(key, file, "cannot be read (permission denied)");
    } catch (IOException e) {
      throw new TlsFileException(key, file, "cannot be read (" + e + ")", e);
    }
  }

  private static byte[] decode(String key, Path file, String base64) {
    try {
      return Base64.getMimeDecoder().decode(base64.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw new TlsFileException(key, file, "holds a PEM block that is not base64", e);
    }
  }

  private static void checkValid(String key, Path file, List<X509Certificate> certs) {
    Date now = new Date();
    for (X509Certificate c : certs) {
      try {
        c.checkValidity(now);
      } catch (CertificateExpiredException e) {
        throw new TlsFileException(
            key,
            file,
            "the certificate of "
                + c.getSubjectX500Principal().getName()
                + " expired on "
                + c.getNotAfter().toInstant());
      } catch (CertificateNotYetValidException e) {
        throw new TlsFileException(
            key,
            file,
            "the certificate of "
                + c.getSubjectX500Principal().getName()
                + " is not valid before "
                + c.getNotBefore().toInstant());
      }
    }
  }

  /** The chain leads to one of the CAs (PKIX, without revocation: raftlog reads no CRLs). */
  private static void checkIssued(
      Path file, List<X509Certificate> chain, List<X509Certificate> cas, Path caFile) {
    Set<TrustAnchor> anchors = new HashSet<>();
    cas.forEach(c -> anchors.add(new TrustAnchor(c, null)));
    try {
      PKIXParameters p = new PKIXParameters(anchors);
      p.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX")
          .validate(
              CertificateFactory.getInstance("X.509").generateCertPath(chainBelowCa(chain, cas)),
              p);
    } catch (CertPathValidatorException e) {
      throw new TlsFileException(
          "tls.cert-file",
          file,
          "the certificate of "
              + chain.get(0).getSubjectX500Principal().getName()
              + " was not issued by a CA of tls.ca-file "
              + caFile
              + " ("
              + e.getMessage()
              + ")");
    } catch (GeneralSecurityException e) {
      throw new TlsFileException("tls.cert-file", file, "its chain cannot be checked: " + e, e);
    }
  }

  /** The chain without any CA certificate it carries at its end (a path stops below its anchor). */
  private static List<X509Certificate> chainBelowCa(
      List<X509Certificate> chain, List<X509Certificate> cas) {
    List<X509Certificate> path = new ArrayList<>(chain);
    while (path.size() > 1 && cas.contains(path.get(path.size() - 1))) {
      path.remove(path.size() - 1);
    }
    return path;
  }

  private static void checkKeyMatches(
      Path keyFile, PrivateKey key, X509Certificate leaf, Path certFile) {
    PublicKey pub = leaf.getPublicKey();
    String alg =
        switch (pub.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> pub.getAlgorithm();
        };
    byte[] probe = "raftlog key check".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      s.initVerify(pub);
      s.update(probe);
      matches = s.verify(sig);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new TlsFileException(
          "tls.key-file",
          keyFile,
          "is not the key of the certificate in tls.cert-file " + certFile);
    }
  }
}
