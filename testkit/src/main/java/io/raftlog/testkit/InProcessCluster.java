package io.raftlog.testkit;

import io.raftlog.wire.StreamNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Real raftlog nodes in this JVM: real RocksDB files under a directory of the test's, real gRPC and
 * Raft on free loopback ports. Nodes are started by the {@link NodeStarter} the test passes (for
 * raftlog's own node, {@code RaftlogServer::start}), and are found and judged over gRPC only.
 *
 * @param <N> the node type the starter returns; {@link #node} hands it back to the test
 */
public final class InProcessCluster<N extends AutoCloseable> extends Cluster {
  private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(20);

  /** Starts one node from its config properties (the keys of a node's properties file). */
  @FunctionalInterface
  public interface NodeStarter<N> {
    N start(Properties config) throws Exception;
  }

  private final Path root;
  private final NodeStarter<N> starter;
  private final Map<String, N> running = new ConcurrentHashMap<>();

  private InProcessCluster(Path root, ClusterLayout layout, NodeStarter<N> starter) {
    super(layout);
    this.root = root;
    this.starter = starter;
  }

  /** Starts {@code size} nodes with default settings and waits until they agree on a leader. */
  public static <N extends AutoCloseable> InProcessCluster<N> start(
      Path root, int size, NodeStarter<N> starter) {
    return start(root, size, Map.of(), starter);
  }

  /** As {@link #start(Path, int, NodeStarter)}, every node also getting {@code settings}. */
  public static <N extends AutoCloseable> InProcessCluster<N> start(
      Path root, int size, Map<String, String> settings, NodeStarter<N> starter) {
    return start(root, size, settings, null, starter);
  }

  /**
   * As {@link #start(Path, int, Map, NodeStarter)}, with TLS: each node gets {@code tls}'s keys
   * (its own certificate), the kit's channels {@code tls}'s credentials; null means none.
   */
  public static <N extends AutoCloseable> InProcessCluster<N> start(
      Path root, int size, Map<String, String> settings, ClusterTls tls, NodeStarter<N> starter) {
    for (int attempt = 1; ; attempt++) {
      InProcessCluster<N> c =
          new InProcessCluster<>(root, new ClusterLayout(size, settings, tls), starter);
      try {
        c.ids().forEach(c::startNode);
        c.awaitLeader();
        return c;
      } catch (RuntimeException | Error e) {
        c.close();
        if (attempt >= PORT_ATTEMPTS || !portTaken(e)) {
          throw e;
        }
        // Another process bound one of the drawn ports between the check and the node's bind:
        // start again on fresh ports, from empty data directories.
        c.ids().forEach(c::wipeQuietly);
      }
    }
  }

  /** Starts tried with fresh ports when a node's port was taken by someone else meanwhile. */
  private static final int PORT_ATTEMPTS = 3;

  private static boolean portTaken(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException
          || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  private void wipeQuietly(String id) {
    try {
      wipeNode(id);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot wipe node " + id + " to start it again", e);
    }
  }

  public void startNode(String id) {
    startNode(id, Map.of());
  }

  /**
   * Starts node {@code id} with {@code changes} over its config (e.g. the next step of a rolling
   * move to TLS); the next {@link #startNode(String)} starts it from the layout's config again.
   */
  public void startNode(String id, Map<String, String> changes) {
    try {
      Properties config = layout().properties(id, dataDir(id));
      config.putAll(changes);
      running.put(id, starter.start(config));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("node " + id + " did not start", e);
    }
  }

  /** Starts one more node that joins the running cluster (cluster.join); answers its id. */
  public String addNode() {
    String id = layout().addJoiner();
    startNode(id);
    return id;
  }

  /**
   * Stops a node with its close method; its data stays. (A raftlog node closed so hands no
   * leadership away first: to the others it is gone as if it crashed.)
   */
  public void stopNode(String id) {
    N node = running.remove(id);
    if (node != null) {
      try {
        node.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        throw new IllegalStateException("node " + id + " did not stop cleanly", e);
      }
    }
  }

  /** Deletes everything the node stored; it must be stopped. */
  public void wipeNode(String id) throws IOException {
    if (running.containsKey(id)) {
      throw new IllegalStateException("node " + id + " is running: stop it before wiping it");
    }
    Path dir = dataDir(id);
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private Path dataDir(String id) {
    return root.resolve("node-" + id);
  }

  /** The running node {@code id}, or null if it is stopped. */
  public N node(String id) {
    return running.get(id);
  }

  /**
   * The id of the running node that leads the shard of stream {@code default}, once every running
   * node agrees on the leader of the meta group and of every shard.
   */
  public String awaitLeader() {
    return awaitLeader(StreamNames.DEFAULT);
  }

  /** As {@link #awaitLeader()}, for the shard that holds {@code stream}. */
  public String awaitLeader(String stream) {
    return Await.value(
        LEADER_TIMEOUT,
        "leaders that every running node knows",
        () -> clients().agreedLeader(List.copyOf(running.keySet()), stream));
  }

  /** Each shard's leader, once every running node agrees on all of them. */
  public Map<Integer, String> awaitShardLeaders() {
    return Await.value(
        LEADER_TIMEOUT,
        "leaders that every running node knows",
        () -> clients().agreedShardLeaders(List.copyOf(running.keySet())));
  }

  /** A running node that does not lead the shard of {@code default} (once leaders are agreed). */
  public String aFollower() {
    String leader = awaitLeader();
    return running.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
  }

  @Override
  public void close() {
    clients().close();
    List.copyOf(running.keySet()).forEach(this::stopNode);
  }
}
