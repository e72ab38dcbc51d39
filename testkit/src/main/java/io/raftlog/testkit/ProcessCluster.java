package io.raftlog.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 */
public final class ProcessCluster extends Cluster {
  private static final long STOP_SECONDS = 15;

  private final Path root;
  private final Path jar;
  private final Map<String, Process> running = new ConcurrentHashMap<>();
  private final Set<String> paused = ConcurrentHashMap.newKeySet();

  /**
   * Lays out {@code size} nodes under {@code root} (nothing runs yet).
   *
   * @param jar the node jar ({@code server/target/raftlog-server.jar})
   * @param settings keys and values every node's config file gets besides id, data dir and peers
   */
  public ProcessCluster(Path root, int size, Path jar, Map<String, String> settings)
      throws IOException {
    super(new ClusterLayout(size, settings));
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

  private Path nodeDir(String id) {
    return root.resolve("node-" + id);
  }

  /** Starts node {@code id} (again: its data stays from an earlier run). */
  public void start(String id) throws IOException {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString(),
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
