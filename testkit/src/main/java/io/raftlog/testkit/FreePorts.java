package io.raftlog.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports nobody listens on, for nodes that tests and tools start.
 *
 * <p>A port is drawn at random below the kernel's ephemeral range ({@code
 * net.ipv4.ip_local_port_range}, 32768 and up by default), never twice in one JVM, and checked free
 * by binding it. Not from the ephemeral range, as {@code new ServerSocket(0)} would: between the
 * draw and the node's bind, an outgoing connection (a client or a Raft peer reconnecting) could
 * take the same port as its local end, and the node failed to start with "Address already in use"
 * (DiskFullTest, once).
 */
public final class FreePorts {
  private static final int LOWEST = 20_000;
  private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
  private static final Set<Integer> GIVEN = new HashSet<>();

  private FreePorts() {}

  /** A free loopback port, not handed out before by this JVM. */
  public static synchronized int next() {
    int high = ephemeralLow();
    for (int tries = 0; tries < 1_000 && high > LOWEST; tries++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, high);
      if (!GIVEN.contains(port) && free(port)) {
        GIVEN.add(port);
        return port;
      }
    }
    // A kernel with its ephemeral range low down: fall back to one of its ports.
    try (ServerSocket s = new ServerSocket(0)) {
      GIVEN.add(s.getLocalPort());
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 127.0.0.1:port} with a free port. */
  public static String loopbackAddress() {
    return "127.0.0.1:" + next();
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException inUse) {
      return false;
    }
  }

  /** The first port of the kernel's ephemeral range (Linux), or its default elsewhere. */
  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException unknown) {
      return DEFAULT_EPHEMERAL_LOW;
    }
  }
}
