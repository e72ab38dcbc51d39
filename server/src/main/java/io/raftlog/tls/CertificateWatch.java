package io.raftlog.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's certificate, key and CA files, read again every {@code tls.reload-interval-ms}: when
 * their bytes change and the new files pass {@link PemFiles#load}, each listener gets the new
 * {@link PemFiles.Identity} (the gRPC port's key and trust managers, the Raft port's keystore),
 * used for new connections from then on. Files that fail the checks are logged once at WARN, naming
 * the file and the problem, and the files in use stay (a half-written or expired certificate never
 * takes a node off the network).
 *
 * <p>Owned by the node (made at start, closed at stop); listeners run on its one daemon thread,
 * {@code raftlog-tls-reload}, and must not block long.
 */
public final class CertificateWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateWatch.class);

  private final TlsSettings settings;
  private final List<Consumer<PemFiles.Identity>> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer;
  private volatile PemFiles.Identity current;
  private byte[] seen; // digest of the files' bytes last read; only the timer thread touches it
  private String lastProblem;

  /** Loads the files once (throwing {@link TlsFileException} on a problem) and starts watching. */
  public CertificateWatch(TlsSettings settings) {
    this.settings = settings;
    this.seen = digest();
    this.current = PemFiles.load(settings);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "raftlog-tls-reload");
              t.setDaemon(true);
              return t;
            });
    long every = settings.reloadInterval().toMillis();
    timer.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
  }

  /** The files in use. */
  public PemFiles.Identity current() {
    return current;
  }

  public TlsSettings settings() {
    return settings;
  }

  /** Calls {@code listener} with each identity loaded from now on (not with the current one). */
  public void onChange(Consumer<PemFiles.Identity> listener) {
    listeners.add(listener);
  }

  /** Reads the files now (tests; the timer does it every interval). */
  public synchronized void check() {
    byte[] now = digest();
    if (Arrays.equals(now, seen)) {
      return;
    }
    PemFiles.Identity next;
    try {
      next = PemFiles.load(settings);
    } catch (TlsFileException e) {
      if (!e.getMessage().equals(lastProblem)) {
        LOG.warn(
            "TLS files changed but cannot be used; keeping the ones in use: {}", e.getMessage());
        lastProblem = e.getMessage();
      }
      return; // seen stays: the next change (the rest of a rotation) is read again
    }
    seen = now;
    lastProblem = null;
    current = next;
    LOG.info(
        "TLS files reloaded: {} (serial {}, valid until {}), {} CA certificate(s)",
        next.leaf().getSubjectX500Principal().getName(),
        next.leaf().getSerialNumber().toString(16),
        next.leaf().getNotAfter().toInstant(),
        next.cas().size());
    for (Consumer<PemFiles.Identity> l : listeners) {
      try {
        l.accept(next);
      } catch (RuntimeException e) {
        LOG.warn("a TLS listener failed to take the reloaded files", e);
      }
    }
  }

  private byte[] digest() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (Path p : List.of(settings.cert(), settings.key(), settings.ca())) {
        try {
          d.update(Files.readAllBytes(p));
        } catch (IOException e) {
          d.update(("unreadable " + p).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
