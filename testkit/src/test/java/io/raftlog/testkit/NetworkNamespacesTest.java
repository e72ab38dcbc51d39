package io.raftlog.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real namespaces, real TCP: a cut stops a connection from one node's namespace to another's, a
 * heal restores it, the root namespace reaches every node throughout, and close leaves no namespace
 * or link behind. Skipped, with the reason, where namespaces cannot be made (not root, no ip).
 */
class NetworkNamespacesTest {
  private static final int PORT = 7777;

  @TempDir Path dir;
  private NetworkNamespaces net;
  private Process listener;

  @BeforeEach
  void network() throws IOException {
    assumeTrue(
        NetworkNamespaces.unavailableReason().isEmpty(),
        () -> "network namespaces: " + NetworkNamespaces.unavailableReason().orElse(""));
    net = NetworkNamespaces.create(2, dir.resolve(NetworkNamespaces.RECORD_FILE));
    // a TCP server in node 2's namespace that answers "ok" to every connection
    listener =
        new ProcessBuilder(
                net.command(
                    "2",
                    List.of(
                        javaBin(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        EchoOk.class.getName(),
                        String.valueOf(PORT))))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("listener.log").toFile())
            .start();
  }

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (listener != null) {
      listener.destroyForcibly();
      listener.waitFor(10, TimeUnit.SECONDS);
    }
    if (net != null) {
      net.close();
    }
  }

  @Test
  void cutStopsTcpBetweenNamespacesAndHealRestoresIt() throws Exception {
    String to = net.address("2") + ":" + PORT;
    assertTrue(awaitConnects("1", to), "node 1 reaches node 2 before any cut");
    net.cut("1", "2");
    assertFalse(connects("1", to), "node 1 still reaches node 2 through a cut");
    assertTrue(connects(null, to), "the root namespace reaches node 2 during the cut");
    net.heal("1", "2");
    assertTrue(connects("1", to), "node 1 reaches node 2 after the heal");

    net.isolate("2");
    assertFalse(connects("1", to), "node 1 reaches node 2 isolated");
    assertTrue(connects(null, to), "the root namespace reaches the isolated node");
    net.cutFromClients("2");
    assertFalse(connects(null, to), "the root namespace reaches a node cut from clients");
    net.healAll();
    assertTrue(net.cuts().isEmpty());
    assertTrue(connects("1", to) && connects(null, to), "every link is back after healAll");
  }

  @Test
  void closeRemovesEveryNamespaceAndLink() throws Exception {
    Path record = dir.resolve(NetworkNamespaces.RECORD_FILE);
    List<String> names =
        Files.readAllLines(record).stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
    assertEquals(2 + 2 + 1, names.size(), "two namespaces, two veths, a bridge: " + names);
    net.cut("1", "2");
    listener.destroyForcibly();
    listener.waitFor(10, TimeUnit.SECONDS);
    net.close();
    assertFalse(Files.exists(record), "the record file is gone");
    String namespaces = output("ip", "netns", "list");
    for (String n : names) {
      assertFalse(namespaces.contains(n), n + " is left in ip netns list:\n" + namespaces);
      assertTrue(
          awaitGone(Path.of("/sys/class/net", n)),
          n + " is left in ip link:\n" + output("ip", "link"));
    }
  }

  /** Can a TCP client in {@code id}'s namespace (null: this one) connect and read "ok"? */
  private boolean connects(String id, String hostPort) throws Exception {
    List<String> probe =
        List.of(
            javaBin(),
            "-cp",
            System.getProperty("java.class.path"),
            EchoOk.class.getName(),
            "connect",
            hostPort);
    Commands.Result r =
        Commands.run(Duration.ofSeconds(20), id == null ? probe : net.command(id, probe));
    return r.ok() && r.output().contains("ok");
  }

  private boolean awaitConnects(String id, String hostPort) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (connects(id, hostPort)) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  private static boolean awaitGone(Path p) throws InterruptedException {
    // the kernel frees a veth shortly after its namespace
    for (int i = 0; i < 50 && Files.exists(p); i++) {
      Thread.sleep(100);
    }
    return !Files.exists(p);
  }

  private static String output(String... command) throws Exception {
    return Commands.run(Duration.ofSeconds(10), List.of(command)).output();
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
