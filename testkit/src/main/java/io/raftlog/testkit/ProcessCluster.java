package io.raftlog.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * raftlog nodes as operating-system processes, started from the node jar as {@code
 * scripts/start-cluster.sh} starts them, so that a test or the chaos tool can {@code kill -9},
 * freeze ({@code SIGSTOP}) and restart them.
 *
 * <p>Each node has a directory {@code root/node-N} with its config ({@code node.properties}), its
 * data ({@code data/}), its output ({@code node.log}) and its pid ({@code pid}), so a wrapper
 * script can stop the processes even if the JVM that started them was killed.
 *
 * <p>By default the nodes listen on free loopback ports. Given a {@link NetworkNamespaces}, each
 * node runs inside its own namespace instead ({@code ip netns exec NS java ...}, which execs, so
 * the pid is java's) on its namespace's address, so the network's links between them can be cut;
 * this JVM, in the root namespace, still reaches every node. The caller owns the network and closes
 * it after this.
 */
public final class ProcessCluster extends Cluster {
  private static final long STOP_SECONDS = 15;
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

  private final Path root;
  private final Path jar;
  private final Map<String, Process> running = new ConcurrentHashMap<>();
  private final Set<String> paused = ConcurrentHashMap.newKeySet();
  private final Set<String> removed = ConcurrentHashMap.newKeySet();
  private final NetworkNamespaces network; // null: loopback

  /**
   * Lays out {@code size} nodes under {@code root} (nothing runs yet).
   *
   * @param jar the node jar ({@code server/target/raftlog-server.jar})
   * @param settings keys and values every node's config file gets besides id, data dir and peers
   */
  public ProcessCluster(Path root, int size, Path jar, Map<String, String> settings)
      throws IOException {
    this(root, jar, new ClusterLayout(size, settings), null);
  }

  /**
   * As {@link #ProcessCluster(Path, int, Path, Map)}, with TLS: each node's config file gets {@code
   * tls}'s keys (its own certificate), the kit's channels {@code tls}'s credentials.
   */
  public ProcessCluster(Path root, int size, Path jar, Map<String, String> settings, ClusterTls tls)
      throws IOException {
    this(root, jar, new ClusterLayout(size, settings, tls), null);
  }

  /**
   * Lays out one node per namespace of {@code network} under {@code root} (nothing runs yet): node
   * {@code i} in {@code network.namespace(i)} at {@code network.address(i)}.
   */
  public ProcessCluster(
      Path root, Path jar, Map<String, String> settings, NetworkNamespaces network)
      throws IOException {
    this(root, jar, settings, network, null);
  }

  /**
   * As {@link #ProcessCluster(Path, Path, Map, NetworkNamespaces)}, with {@code tls} (null: none):
   * each node's certificate also names its namespace's address.
   */
  public ProcessCluster(
      Path root, Path jar, Map<String, String> settings, NetworkNamespaces network, ClusterTls tls)
      throws IOException {
    this(
        root,
        jar,
        ClusterLayout.onHosts(network.ids().stream().map(network::address).toList(), settings, tls),
        network);
  }

  private ProcessCluster(Path root, Path jar, ClusterLayout layout, NetworkNamespaces network)
      throws IOException {
    super(layout);
    this.network = network;
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException(jar + " is missing: build it with mvn package");
    }
    this.root = root;
    this.jar = jar.toAbsolutePath();
    for (String id : ids()) {
      Files.createDirectories(nodeDir(id));
      layout()
          .writeProperties(id, nodeDir(id).resolve("data"), nodeDir(id).resolve("node.properties"));
    }
  }

  /**
   * Lays out one more node that joins the running cluster through {@code cluster.join} (the other
   * nodes' client addresses), with an empty data directory, on fresh loopback ports, or on {@code
   * raftAddress} and {@code clientAddress} when given (a node that takes a removed one's place);
   * {@link #start} starts it. Loopback clusters only.
   *
   * @return its id, one past the highest so far (a removed node's id is never given again)
   */
  public String addJoiner(String raftAddress, String clientAddress) throws IOException {
    if (network != null) {
      throw new IllegalStateException("nodes in network namespaces cannot be added");
    }
    String id =
        raftAddress == null ? layout().addJoiner() : layout().addJoiner(raftAddress, clientAddress);
    Files.createDirectories(nodeDir(id));
    layout()
        .writeProperties(id, nodeDir(id).resolve("data"), nodeDir(id).resolve("node.properties"));
    return id;
  }

  /**
   * Takes node {@code id} out of {@link #ids()} (the cluster removed it): kill -9 if it still runs;
   * its directory stays, with its log.
   */
  public void remove(String id) throws InterruptedException {
    kill9(id);
    removed.add(id);
  }

  /** The nodes laid out, but those {@link #remove}d. */
  @Override
  public List<String> ids() {
    return super.ids().stream().filter(id -> !removed.contains(id)).toList();
  }

  /** Node {@code id}'s Raft address (host:port). */
  public String raftAddress(String id) {
    return layout().raftAddress(id);
  }

  private Path nodeDir(String id) {
    return root.resolve("node-" + id);
  }

  /** Starts node {@code id} (again: its data stays from an earlier run). */
  public void start(String id) throws IOException {
    List<String> java =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-jar",
            jar.toString(),
            "--config",
            nodeDir(id).resolve("node.properties").toString());
    Process p =
        new ProcessBuilder(network == null ? java : network.command(id, java))
            .directory(nodeDir(id).toFile())
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(nodeDir(id).resolve("node.log").toFile()))
            .start();
    running.put(id, p);
    Files.writeString(nodeDir(id).resolve("pid"), p.pid() + "\n");
  }

  public void startAll() throws IOException {
    for (String id : ids()) {
      start(id);
    }
  }

  /** SIGKILL: no shutdown hook, no flush, exactly like a crash. */
  public void kill9(String id) throws InterruptedException {
    Process p = running.remove(id);
    paused.remove(id);
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGKILL to every node at once, then waits until all are gone. */
  public void kill9All() throws InterruptedException {
    List<Process> all = List.copyOf(running.values());
    running.clear();
    paused.clear();
    all.forEach(Process::destroyForcibly);
    for (Process p : all) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM (the node shuts down cleanly), then waits until it is gone; SIGKILL after 15 s. */
  public void stop(String id) throws InterruptedException {
    Process p = running.remove(id);
    boolean wasPaused = paused.remove(id);
    if (p != null) {
      p.destroy();
      if (wasPaused) {
        signalQuietly(p.pid(), "CONT"); // a stopped process acts on SIGTERM only once continued
      }
      if (!p.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void signalQuietly(long pid, String signal) {
    try {
      Commands.run(KILL_TIMEOUT, killCommand(pid, signal));
    } catch (IOException e) {
      // it is killed after the timeout either way
    }
  }

  private static List<String> killCommand(long pid, String signal) {
    return List.of("kill", "-" + signal, String.valueOf(pid));
  }

  /** The network the nodes run in, if they run in namespaces. */
  public Optional<NetworkNamespaces> network() {
    return Optional.ofNullable(network);
  }

  /** {@code kill -9}, then a fresh process on the same data. */
  public void restart(String id) throws IOException, InterruptedException {
    kill9(id);
    start(id);
  }

  /** SIGSTOP: the process freezes with its sockets open, as in a long GC pause or a VM stall. */
  public void pause(String id) throws IOException, InterruptedException {
    signal(id, "STOP");
    paused.add(id);
  }

  /** SIGCONT to a paused node. */
  public void resume(String id) throws IOException, InterruptedException {
    signal(id, "CONT");
    paused.remove(id);
  }

  private void signal(String id, String signal) throws IOException {
    Process p = running.get(id);
    if (p == null) {
      throw new IllegalStateException("node " + id + " is not running");
    }
    Commands.run(KILL_TIMEOUT, killCommand(p.pid(), signal)).orThrow();
  }

  /** Running and not paused. */
  public boolean isUp(String id) {
    return running.containsKey(id) && !paused.contains(id);
  }

  public List<String> upIds() {
    return ids().stream().filter(this::isUp).toList();
  }

  /**
   * The leader of the shard of stream {@code default} that every node that is up names (and that
   * says it leads), once they agree on every group's leader; or null.
   */
  public String leader() {
    return clients().agreedLeader(upIds());
  }

  /** Each shard's leader once every node that is up agrees on all of them; or null. */
  public Map<Integer, String> shardLeaders() {
    return clients().agreedShardLeaders(upIds());
  }

  /**
   * Each shard's leader once every node of {@code asked} agrees on all of them and each leader is
   * one of them; or null. For a partition: ask the side that should have elected new leaders.
   */
  public Map<Integer, String> shardLeaders(Collection<String> asked) {
    return clients().agreedShardLeaders(asked);
  }

  /** {@link #leader()}, polled until {@code timeout}; an AssertionError if none shows up. */
  public String awaitLeader(Duration timeout) {
    return Await.value(timeout, "leaders that every node that is up knows", this::leader);
  }

  /** {@link #shardLeaders()}, polled until {@code timeout}. */
  public Map<Integer, String> awaitShardLeaders(Duration timeout) {
    return Await.value(timeout, "leaders that every node that is up knows", this::shardLeaders);
  }

  /** The last {@code lines} lines of a node's output, for failure messages. */
  public String logTail(String id, int lines) {
    try {
      List<String> all = Files.readAllLines(nodeDir(id).resolve("node.log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Resumes paused nodes, then stops every node: SIGTERM, and SIGKILL after 15 s. */
  @Override
  public void close() {
    clients().close();
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
        if (!p.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    running.clear();
  }
}
