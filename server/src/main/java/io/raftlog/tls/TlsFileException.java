package io.raftlog.tls;

import java.nio.file.Path;

/**
 * A certificate, key or CA file the node cannot use, naming the file and the problem in words an
 * operator acts on (e.g. "tls.cert-file /etc/raftlog/node.pem: the certificate expired on
 * 2026-12-01T00:00:00Z"). Thrown at start (the node refuses to start) and by a reload (the node
 * keeps its previous files and logs the message).
 */
public final class TlsFileException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public TlsFileException(String key, Path file, String problem) {
    super(key + " " + file + ": " + problem);
  }

  public TlsFileException(String key, Path file, String problem, Throwable cause) {
    super(key + " " + file + ": " + problem, cause);
  }
}
