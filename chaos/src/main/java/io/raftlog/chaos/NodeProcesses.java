package io.raftlog.chaos;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Three raftlog nodes as operating-system processes started from the node jar, as
 * scripts/start-cluster.sh starts them, each with its pid in {@code node-N/pid} so that a wrapper
 * script can clean up even if this JVM is killed.
 */
final class NodeProcesses implements AutoCloseable {
  private final Path dir;
  private final Path jar;
  private final Map<String, String> clientAddresses = new LinkedHashMap<>();
  private final Map<String, Process> running = new ConcurrentHashMap<>();
  private final Set<String> paused = ConcurrentHashMap.newKeySet();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  NodeProcesses(Path dir, Path jar) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(jar + " is missing: build it with mvn package");
    }
    this.dir = dir;
    this.jar = jar;
    Files.createDirectories(dir);
    List<String> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      String client = "127.0.0.1:" + freePort();
      clientAddresses.put(String.valueOf(i), client);
      peers.add(i + "@127.0.0.1:" + freePort() + "@" + client);
    }
    for (String id : ids()) {
      Files.createDirectories(nodeDir(id));
      Files.writeString(
          nodeDir(id).resolve("node.properties"),
          String.join(
              "\n",
              "node.id=" + id,
              "data.dir=" + nodeDir(id).resolve("data"),
              "cluster.peers=" + String.join(",", peers),
              ""));
    }
  }

  List<String> ids() {
    return List.copyOf(clientAddresses.keySet());
  }

  List<String> clientAddresses() {
    return List.copyOf(clientAddresses.values());
  }

  String clientAddress(String id) {
    return clientAddresses.get(id);
  }

  private Path nodeDir(String id) {
    return dir.resolve("node-" + id);
  }

  void start(String id) throws IOException {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toAbsolutePath().toString(),
                "--config",
                nodeDir(id).resolve("node.properties").toString())
            .directory(nodeDir(id).toFile())
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(nodeDir(id).resolve("node.log").toFile()))
            .start();
    running.put(id, p);
    Files.writeString(nodeDir(id).resolve("pid"), p.pid() + "\n");
  }

  void startAll() throws IOException {
    for (String id : ids()) {
      start(id);
    }
  }

  /** SIGKILL: no shutdown hook, no flush, exactly like a crash. */
  void kill9(String id) throws InterruptedException {
    Process p = running.remove(id);
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGKILL to every node at once, then waits until all are gone. */
  void kill9All() throws InterruptedException {
    List<Process> all = List.copyOf(running.values());
    running.clear();
    all.forEach(Process::destroyForcibly);
    for (Process p : all) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGSTOP: the process freezes with its sockets open, as in a long GC pause or a VM stall. */
  void pause(String id) throws IOException, InterruptedException {
    signal(id, "STOP");
    paused.add(id);
  }

  void resume(String id) throws IOException, InterruptedException {
    signal(id, "CONT");
    paused.remove(id);
  }

  private void signal(String id, String signal) throws IOException, InterruptedException {
    Process p = running.get(id);
    if (p == null) {
      throw new IllegalStateException("node " + id + " is not running");
    }
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + signal + " " + p.pid() + " failed");
    }
  }

  boolean isUp(String id) {
    return running.containsKey(id) && !paused.contains(id);
  }

  /** How node {@code id} sees itself (local_only), or null if it does not answer in time. */
  NodeInfo self(String id) {
    try {
      GetClusterResponse r =
          stub(id)
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build());
      return r.getNodesCount() == 1 ? r.getNodes(0) : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The node that is up and says it leads, or null. */
  String leader() {
    for (String id : ids()) {
      if (isUp(id)) {
        NodeInfo n = self(id);
        if (n != null && n.getRole() == Role.LEADER) {
          return id;
        }
      }
    }
    return null;
  }

  LogGrpc.LogBlockingStub stub(String id) {
    return LogGrpc.newBlockingStub(
        channels.computeIfAbsent(
            id,
            k ->
                NettyChannelBuilder.forTarget(clientAddress(k))
                    .usePlaintext()
                    .maxInboundMessageSize(16 << 20)
                    .build()));
  }

  /** Resumes paused nodes, then stops every node (SIGTERM, then SIGKILL after 15 s). */
  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (String id : List.copyOf(paused)) {
      try {
        resume(id);
      } catch (IOException | InterruptedException | IllegalStateException e) {
        // it is killed below either way
      }
    }
    running.values().forEach(Process::destroy);
    for (Process p : running.values()) {
      try {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    running.clear();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
