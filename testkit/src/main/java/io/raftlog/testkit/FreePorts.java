package io.raftlog.testkit;

import java.io.IOException;
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
 * <p>A port is drawn at random outside the kernel's ephemeral range ({@code
 * net.ipv4.ip_local_port_range}; 32768-60999 by default, so below and above it), never twice in one
 * JVM, and checked free by binding it on the wildcard address. Not from the ephemeral range, as
 * {@code new ServerSocket(0)} would: between the draw and the node's bind, an outgoing connection
 * (a client or a Raft peer reconnecting) could take the same port as its local end, and the node
 * failed to start with "Address already in use" (DiskFullTest, once). Checked on the wildcard, not
 * on loopback only, because Bolt (JRaft's transport) listens on {@code 0.0.0.0}: a port free on
 * 127.0.0.1 but bound on another address still failed its bind (HostileRequestsTest, once in CI).
 */
public final class FreePorts {
  private static final int LOWEST = 20_000;
  private static final int HIGHEST = 65_535;
  private static final Set<Integer> GIVEN = new HashSet<>();

  private FreePorts() {}

  /** A free port, not handed out before by this JVM. */
  public static synchronized int next() {
    int[] ephemeral = ephemeralRange();
    int below = Math.max(0, ephemeral[0] - LOWEST);
    int above = Math.max(0, HIGHEST - ephemeral[1]);
    for (int tries = 0; tries < 10_000; tries++) {
      int port;
      if (below + above == 0) {
        // A kernel whose ephemeral range covers everything: any port, still checked.
        port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST + 1);
      } else {
        int draw = ThreadLocalRandom.current().nextInt(below + above);
        port = draw < below ? LOWEST + draw : ephemeral[1] + 1 + (draw - below);
      }
      if (!GIVEN.contains(port) && free(port)) {
        GIVEN.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free port found outside the ephemeral range");
  }

  /** {@code 127.0.0.1:port} with a free port. */
  public static String loopbackAddress() {
    return "127.0.0.1:" + next();
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException inUse) {
      return false;
    }
  }

  /** The kernel's ephemeral range (Linux), or its default elsewhere. */
  private static int[] ephemeralRange() {
    try {
      String[] range =
          Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      return new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[1])};
    } catch (IOException | RuntimeException unknown) {
      return new int[] {32_768, 60_999};
    }
  }
}
