package io.raftlog.testing;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Three raftlog nodes as real operating-system processes, started from the packaged jar as a user
 * would start them, so a test can {@code kill -9} one.
 */
public final class ProcessCluster implements AutoCloseable {
  public static final Path JAR = Path.of("target", "raftlog-server.jar").toAbsolutePath();

  private final Path root;
  private final Map<String, String> clientAddresses = new LinkedHashMap<>();
  private final Map<String, Process> processes = new ConcurrentHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public ProcessCluster(Path root, int size) throws IOException {
    this.root = root;
    List<String> peers = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      String client = "127.0.0.1:" + freePort();
      clientAddresses.put(String.valueOf(i), client);
      peers.add(i + "@127.0.0.1:" + freePort() + "@" + client);
    }
    for (String id : clientAddresses.keySet()) {
      Files.writeString(
          config(id),
          String.join(
              "\n",
              "node.id=" + id,
              "data.dir=" + root.resolve("node-" + id),
              "cluster.peers=" + String.join(",", peers),
              "raft.snapshot-entries=200",
              ""));
    }
  }

  private Path config(String id) {
    return root.resolve("node-" + id + ".properties");
  }

  public List<String> ids() {
    return List.copyOf(clientAddresses.keySet());
  }

  public String clientAddress(String id) {
    return clientAddresses.get(id);
  }

  public void start(String id) throws IOException {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: integration tests run after `package`");
    }
    Path log = root.resolve("node-" + id + ".log");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                JAR.toString(),
                "--config",
                config(id).toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    processes.put(id, p);
  }

  public void startAll() throws IOException {
    for (String id : ids()) {
      start(id);
    }
  }

  /** SIGKILL: no shutdown hook, no flush, exactly like a crash. */
  public void kill9(String id) throws InterruptedException {
    Process p = processes.remove(id);
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  public LogGrpc.LogBlockingStub blocking(String id) {
    return LogGrpc.newBlockingStub(
            channels.computeIfAbsent(
                id, k -> NettyChannelBuilder.forTarget(clientAddress(k)).usePlaintext().build()))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** The leader's id, once a running node reports one that is running too. */
  public String awaitLeader() {
    return Await.value(
        Duration.ofSeconds(30),
        "a leader among the running processes",
        () -> {
          for (String id : processes.keySet()) {
            GetClusterResponse r =
                blocking(id).getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build());
            if (!r.getLeaderId().isEmpty() && processes.containsKey(r.getLeaderId())) {
              return r.getLeaderId();
            }
          }
          return null;
        });
  }

  /** The last lines of a node's log, for failure messages. */
  public String logTail(String id) {
    try {
      List<String> lines = Files.readAllLines(root.resolve("node-" + id + ".log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    processes.values().forEach(Process::destroy);
    for (Process p : processes.values()) {
      try {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    processes.clear();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
