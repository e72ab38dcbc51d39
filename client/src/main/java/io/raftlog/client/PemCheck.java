package io.raftlog.client;

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
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client's PEM files read and checked with the JDK before gRPC gets their bytes: each problem
 * (missing, unreadable, no certificate, a key not in PKCS#8, a certificate out of its validity, a
 * key that is not the certificate's) becomes an {@link IllegalArgumentException} naming the file,
 * where gRPC would say only "Unable to create SslContext". Stateless; any thread.
 */
final class PemCheck {
  private PemCheck() {}

  /** A file's bytes and the certificates in it (none for a key file). */
  record Read(byte[] bytes, List<X509Certificate> certificates) {}

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

  /** More than this is no PEM file of ours. */
  private static final int MAX_FILE_BYTES = 1 << 20;

  /** A PEM file of certificates, at least one, each within its validity. */
  static Read certificates(String what, Path file) {
    byte[] bytes = read(what, file);
    List<X509Certificate> certs = new ArrayList<>();
    Matcher m = BLOCK.matcher(new String(bytes, StandardCharsets.US_ASCII));
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      while (m.find()) {
        if (m.group(1).equals("CERTIFICATE")) {
          certs.add(
              (X509Certificate)
                  f.generateCertificate(new ByteArrayInputStream(decode(what, file, m.group(2)))));
        }
      }
    } catch (CertificateException e) {
      throw problem(
          what, file, "holds a certificate that cannot be parsed (" + e.getMessage() + ")");
    }
    if (certs.isEmpty()) {
      throw problem(what, file, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    for (X509Certificate c : certs) {
      String subject = c.getSubjectX500Principal().getName();
      try {
        c.checkValidity();
      } catch (CertificateExpiredException e) {
        throw problem(
            what,
            file,
            "the certificate of " + subject + " expired on " + c.getNotAfter().toInstant());
      } catch (CertificateNotYetValidException e) {
        throw problem(
            what,
            file,
            "the certificate of "
                + subject
                + " is not valid before "
                + c.getNotBefore().toInstant());
      }
    }
    return new Read(bytes, List.copyOf(certs));
  }

  /** A PEM file holding the PKCS#8 private key of {@code chain}'s first certificate. */
  static Read privateKey(Path file, Read chain, Path certFile) {
    String what = "client key file";
    byte[] bytes = read(what, file);
    Matcher m = BLOCK.matcher(new String(bytes, StandardCharsets.US_ASCII));
    while (m.find()) {
      String type = m.group(1);
      if (type.equals("PRIVATE KEY")) {
        PrivateKey key = parse(file, decode(what, file, m.group(2)));
        if (!matches(key, chain.certificates().get(0).getPublicKey())) {
          throw problem(what, file, "is not the key of the certificate in " + certFile);
        }
        return new Read(bytes, List.of());
      }
      if (type.endsWith("PRIVATE KEY")) {
        throw problem(
            what,
            file,
            "holds a "
                + type
                + ", not PKCS#8: convert it with `openssl pkcs8 -topk8 -nocrypt -in "
                + file
                + "`");
      }
    }
    throw problem(what, file, "holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }

  private static PrivateKey parse(Path file, byte[] der) {
    for (String alg : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException next) {
        // try the next algorithm
      }
    }
    throw problem("client key file", file, "holds a private key that is not EC, RSA or Ed25519");
  }

  /** Signs a probe with {@code key} and checks it with {@code pub}. */
  private static boolean matches(PrivateKey key, PublicKey pub) {
    String alg =
        switch (pub.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> pub.getAlgorithm();
        };
    byte[] probe = "raftlog key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      s.initVerify(pub);
      s.update(probe);
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static byte[] read(String what, Path file) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw problem(what, file, "is larger than 1 MiB: not a PEM file");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw problem(what, file, "does not exist");
    } catch (AccessDeniedException e) {
      throw problem(what, file, "cannot be read (permission denied)");
    } catch (IOException e) {
      throw problem(what, file, "cannot be read (" + e + ")");
    }
  }

  private static byte[] decode(String what, Path file, String base64) {
    try {
      return Base64.getMimeDecoder().decode(base64.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      throw problem(what, file, "holds a PEM block that is not base64");
    }
  }

  private static IllegalArgumentException problem(String what, Path file, String problem) {
    return new IllegalArgumentException(what + " " + file + ": " + problem);
  }
}
