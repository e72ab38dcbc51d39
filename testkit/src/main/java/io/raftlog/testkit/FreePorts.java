package io.raftlog.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Loopback ports nobody listens on, for nodes that tests and tools start. */
public final class FreePorts {
  private FreePorts() {}

  /** A port the operating system just handed out and released (free at that moment). */
  public static int next() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:port} with a free port. */
  public static String loopbackAddress() {
    return "127.0.0.1:" + next();
  }
}
