package io.raftlog.replication.rafttls;

import io.raftlog.tls.PemFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Set;

/**
 * The node's PEM identity as the PKCS#12 keystore Bolt's clients read ({@code data.dir/tls/
 * raft.p12}, owner-only): the node's key and chain under the alias {@value
 * NodeTrustProvider#KEY_ALIAS_PREFIX}{@code <token>}, and each CA as a trusted entry. Bolt reads
 * the file again for every new connection, so {@link #write} (atomic: a reader sees the old file or
 * the new one) is the reload. The password is random, made at start and held only in memory (and in
 * the JVM property Bolt reads it from).
 *
 * <p>Owned by {@link RaftPortTls}; written at start and on the certificate watch's thread.
 */
final class RaftKeystore {
  /** The keystore under {@code data.dir}. */
  static final String FILE = "tls/raft.p12";

  private final Path file;
  private final String alias;
  private final char[] password;

  RaftKeystore(Path dataDir, String token) {
    this.file = dataDir.resolve(FILE);
    this.alias = NodeTrustProvider.KEY_ALIAS_PREFIX + token;
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    this.password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret).toCharArray();
  }

  Path file() {
    return file;
  }

  String password() {
    return new String(password);
  }

  /** Writes {@code identity} into the keystore file, replacing it atomically. */
  synchronized void write(PemFiles.Identity identity) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          alias, identity.key(), password, identity.chain().toArray(new X509Certificate[0]));
      for (int i = 0; i < identity.cas().size(); i++) {
        ks.setCertificateEntry("ca-" + i, identity.cas().get(i));
      }
      Path dir = file.getParent();
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      Files.createDirectories(dir, ownerOnly(posix, "rwx------"));
      Path tmp = Files.createTempFile(dir, "raft", ".p12.tmp", ownerOnly(posix, "rw-------"));
      try {
        try (OutputStream out = Files.newOutputStream(tmp)) {
          ks.store(out, password);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "cannot write the Raft port's keystore " + file + ": " + e, e);
    }
  }

  private static FileAttribute<?>[] ownerOnly(boolean posix, String perms) {
    if (!posix) {
      return new FileAttribute<?>[0];
    }
    Set<PosixFilePermission> p = PosixFilePermissions.fromString(perms);
    return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(p)};
  }
}
