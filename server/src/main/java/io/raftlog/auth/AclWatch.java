package io.raftlog.auth;

import io.raftlog.acl.Acl;
import io.raftlog.acl.AclFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's ACL file ({@code acl.file}), read again every {@code acl.reload-interval-ms}: when its
 * bytes change and it parses, the next call is decided by the new rules. A file that does not parse
 * is logged once at WARN (file, line, problem) and the rules in use stay; at start it is an {@link
 * AclFileException}, which stops the node.
 *
 * <p>Owned by the node (made at start, closed at stop); reads run on its one daemon thread, {@code
 * raftlog-acl-reload}; {@link #current} from any thread.
 */
public final class AclWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AclWatch.class);

  private final Path file;
  private final ScheduledExecutorService timer;
  private volatile Acl current;
  private byte[] seen; // the bytes last parsed or refused; only check() touches it

  /** Reads {@code file} once (an {@link AclFileException} on a problem) and starts watching. */
  public AclWatch(Path file, long intervalMs) {
    this.file = file;
    this.seen = bytes();
    this.current = Acl.read(file);
    LOG.info(
        "ACL {}: {} rules; calls not granted by one are refused", file, current.rules().size());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "raftlog-acl-reload");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(this::check, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
  }

  /** The rules in use. */
  public Acl current() {
    return current;
  }

  /** Reads the file now if it changed (the timer does it every interval). */
  public synchronized void check() {
    byte[] now = bytes();
    if (Arrays.equals(now, seen)) {
      return;
    }
    seen = now; // a broken file is reported once, not every interval
    try {
      current = Acl.read(file);
      LOG.info("ACL {} reloaded: {} rules", file, current.rules().size());
    } catch (AclFileException e) {
      LOG.warn("ACL file changed but cannot be used; keeping the rules in use: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("ACL file {} could not be read again; keeping the rules in use", file, e);
    }
  }

  private byte[] bytes() {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      return null; // Acl.read names the problem
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
