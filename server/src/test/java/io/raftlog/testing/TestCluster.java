package io.raftlog.testing;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.server.RaftlogServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Real raftlog nodes in this JVM: real RocksDB files, real gRPC and Raft on loopback ports. */
public final class TestCluster implements AutoCloseable {
  private final Path root;
  private final List<Peer> peers = new ArrayList<>();
  private final Consumer<NodeConfig.Builder> tuning;
  private final Map<String, RaftlogServer> running = new ConcurrentHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  private TestCluster(Path root, int size, Consumer<NodeConfig.Builder> tuning) {
    this.root = root;
    this.tuning = tuning;
    for (int i = 1; i <= size; i++) {
      peers.add(new Peer(String.valueOf(i), "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort()));
    }
  }

  /** Starts {@code size} nodes and waits until they agree on a leader. */
  public static TestCluster start(Path root, int size) {
    return start(root, size, b -> {});
  }

  public static TestCluster start(Path root, int size, Consumer<NodeConfig.Builder> tuning) {
    TestCluster c = new TestCluster(root, size, tuning);
    c.peers.forEach(p -> c.startNode(p.id()));
    c.awaitLeader();
    return c;
  }

  public NodeConfig config(String id) {
    NodeConfig.Builder b = new NodeConfig.Builder(id, root.resolve("node-" + id), peers);
    tuning.accept(b);
    return b.build();
  }

  public void startNode(String id) {
    try {
      running.put(id, RaftlogServer.start(config(id)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void stopNode(String id) {
    RaftlogServer s = running.remove(id);
    if (s != null) {
      try {
        s.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Deletes everything the node stored (it must be stopped). */
  public void wipeNode(String id) throws IOException {
    Path dir = root.resolve("node-" + id);
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  public RaftlogServer node(String id) {
    return running.get(id);
  }

  public List<String> ids() {
    return peers.stream().map(Peer::id).toList();
  }

  public String clientAddress(String id) {
    return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow().clientAddress();
  }

  /** The id of the running node that leads, once every running node agrees on it. */
  public String awaitLeader() {
    return Await.value(
        Duration.ofSeconds(20),
        "a leader that every running node knows",
        () -> {
          String leader = null;
          for (RaftlogServer s : running.values()) {
            Peer l = s.leader();
            if (l == null
                || !running.containsKey(l.id())
                || (leader != null && !leader.equals(l.id()))) {
              return null;
            }
            leader = l.id();
          }
          return leader != null && running.get(leader).isLeader() ? leader : null;
        });
  }

  public String aFollower() {
    String leader = awaitLeader();
    return running.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  public ManagedChannel channel(String id) {
    return channels.computeIfAbsent(
        id,
        k ->
            NettyChannelBuilder.forTarget(clientAddress(k))
                .usePlaintext()
                .maxInboundMessageSize(16 << 20)
                .build());
  }

  public LogGrpc.LogBlockingStub blocking(String id) {
    return LogGrpc.newBlockingStub(channel(id));
  }

  public LogGrpc.LogStub async(String id) {
    return LogGrpc.newStub(channel(id));
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    List.copyOf(running.keySet()).forEach(this::stopNode);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
