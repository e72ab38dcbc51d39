package io.raftlog.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A private network for a cluster's nodes, so that links between them can be cut: a bridge in the
 * root namespace (where the tests, the chaos tool and their clients run) holding the address {@code
 * 10.A.B.1}, and one network namespace per node ({@code "1".."n"}) joined to the bridge by a veth
 * pair, the node's end holding {@code 10.A.B.(10+i)}. The /24 is derived from this process's pid
 * and a counter, and names are {@code rl<pid>-<n>} plus a suffix (at most 15 characters), so
 * parallel runs neither share addresses nor names.
 *
 * <p>A link is cut with a blackhole route in the sender's namespace ({@code ip route add blackhole
 * ADDR/32}): the sender's packets to that address are dropped, so new TCP connections from it fail
 * and established ones stall, while the other direction still delivers (a one-way cut). The root
 * namespace keeps reaching every node unless {@link #cutFromClients} says otherwise.
 *
 * <p>The creator owns it and must {@link #close()} it after stopping the processes inside (a JVM
 * shutdown hook does it too). Every name is appended to a record file before it is made, so a
 * script can delete them after this JVM was killed hard: lines {@code netns NAME} and {@code link
 * NAME}, see {@link #cleanUp(Path)} and {@code scripts/chaos-kill-leader.sh}. All methods are
 * synchronized and may be called from any thread (a fault loop, a flapping thread, the hook).
 */
public final class NetworkNamespaces implements AutoCloseable {
  /** The record file's name in a cluster's data directory. */
  public static final String RECORD_FILE = "netns";

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);
  private static volatile Optional<String> unavailable;

  private final String prefix;
  private final String subnet; // "10.A.B."
  private final String bridge;
  private final int size;
  private final Path record;
  private final Set<String> madeNamespaces = new LinkedHashSet<>();
  private final Set<String> madeLinks = new LinkedHashSet<>();
  private final Set<String> blackholes = new LinkedHashSet<>(); // "namespace address"
  private final Thread hook;
  private boolean closed;

  private NetworkNamespaces(int size, Path record) {
    long pid = ProcessHandle.current().pid();
    this.prefix =
        "rl" + Long.toString(pid, 36) + "-" + Integer.toString(RUNS.incrementAndGet(), 36);
    this.size = size;
    this.record = record;
    this.bridge = prefix + "b";
    this.subnet = freeSubnet(prefix);
    this.hook = new Thread(this::close, "netns-cleanup-" + prefix);
  }

  /**
   * Why network namespaces cannot be made here (not Linux, not root, no {@code ip}, or making one
   * failed, with its error), or empty if they can. The answer is worked out once per JVM.
   */
  public static Optional<String> unavailableReason() {
    Optional<String> u = unavailable;
    if (u == null) {
      u = Optional.ofNullable(probe());
      unavailable = u;
    }
    return u;
  }

  private static String probe() {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      return "not Linux (" + System.getProperty("os.name") + ")";
    }
    try {
      String status = Files.readString(Path.of("/proc/self/status"));
      if (!status.lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*"))) {
        return "not running as root (ip netns needs it)";
      }
    } catch (IOException e) {
      return "cannot read /proc/self/status: " + e.getMessage();
    }
    String probe = "rlprobe" + Long.toString(ProcessHandle.current().pid(), 36);
    try {
      run("ip", "netns", "add", probe);
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("Cannot run program")) {
        return "no ip command (iproute2) on the PATH";
      }
      return "cannot make a network namespace: " + e.getMessage();
    }
    try {
      run("ip", "netns", "delete", probe);
    } catch (IOException e) {
      return "cannot delete network namespace " + probe + ": " + e.getMessage();
    }
    return null;
  }

  /**
   * Makes the bridge and {@code size} namespaces with their links, all up and reachable from here.
   *
   * @param record the file to list every name in (appended to; its directory must exist)
   * @throws IllegalStateException if {@link #unavailableReason()} says namespaces cannot be made
   */
  public static NetworkNamespaces create(int size, Path record) throws IOException {
    unavailableReason()
        .ifPresent(
            r -> {
              throw new IllegalStateException("network namespaces are unavailable: " + r);
            });
    NetworkNamespaces n = new NetworkNamespaces(size, record);
    Runtime.getRuntime().addShutdownHook(n.hook);
    try {
      n.build();
    } catch (IOException | RuntimeException e) {
      n.close();
      throw e;
    }
    return n;
  }

  private synchronized void build() throws IOException {
    made("link", bridge);
    run("ip", "link", "add", bridge, "type", "bridge");
    run("ip", "addr", "add", rootAddress() + "/24", "dev", bridge);
    run("ip", "link", "set", bridge, "up");
    for (int i = 1; i <= size; i++) {
      String ns = namespace(String.valueOf(i));
      String veth = prefix + "v" + i;
      made("netns", ns);
      run("ip", "netns", "add", ns);
      made("link", veth);
      run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
      run("ip", "link", "set", veth, "master", bridge, "up");
      run("ip", "-n", ns, "addr", "add", address(String.valueOf(i)) + "/24", "dev", "eth0");
      run("ip", "-n", ns, "link", "set", "eth0", "up");
      run("ip", "-n", ns, "link", "set", "lo", "up");
    }
  }

  private void made(String kind, String name) throws IOException {
    (kind.equals("netns") ? madeNamespaces : madeLinks).add(name);
    Files.writeString(
        record,
        kind + " " + name + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** Node ids, {@code "1".."size"}. */
  public List<String> ids() {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      ids.add(String.valueOf(i));
    }
    return ids;
  }

  /** Node {@code id}'s namespace name. */
  public String namespace(String id) {
    return prefix + "n" + index(id);
  }

  /** Node {@code id}'s address (inside its namespace, reachable from the root namespace). */
  public String address(String id) {
    return subnet + (10 + index(id));
  }

  /** The bridge's address: where clients in the root namespace come from. */
  public String rootAddress() {
    return subnet + "1";
  }

  /** {@code command} run in node {@code id}'s namespace ({@code ip netns exec} execs it). */
  public List<String> command(String id, List<String> command) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", namespace(id)));
    c.addAll(command);
    return c;
  }

  /** Node {@code from} can no longer send to node {@code to} (idempotent). */
  public synchronized void cut(String from, String to) throws IOException {
    blackhole(namespace(from), address(to));
  }

  /** Undoes {@link #cut} (idempotent). */
  public synchronized void heal(String from, String to) throws IOException {
    unblackhole(namespace(from), address(to));
  }

  /** Cuts node {@code id} from every other node, both ways; clients still reach it. */
  public synchronized void isolate(String id) throws IOException {
    for (String other : ids()) {
      if (!other.equals(id)) {
        cut(id, other);
        cut(other, id);
      }
    }
  }

  /** Undoes {@link #isolate}. */
  public synchronized void rejoin(String id) throws IOException {
    for (String other : ids()) {
      if (!other.equals(id)) {
        heal(id, other);
        heal(other, id);
      }
    }
  }

  /**
   * Node {@code id} can no longer answer the root namespace (its packets to the bridge's address
   * are dropped), so clients there cannot use it: for a split where the clients sit with the
   * majority.
   */
  public synchronized void cutFromClients(String id) throws IOException {
    blackhole(namespace(id), rootAddress());
  }

  /** Undoes {@link #cutFromClients}. */
  public synchronized void healClients(String id) throws IOException {
    unblackhole(namespace(id), rootAddress());
  }

  /** Removes every cut. */
  public synchronized void healAll() throws IOException {
    for (String b : List.copyOf(blackholes)) {
      String[] nsAndAddress = b.split(" ");
      unblackhole(nsAndAddress[0], nsAndAddress[1]);
    }
  }

  /** The cuts in place, as {@code "namespace address"}, for logs and tests. */
  public synchronized Set<String> cuts() {
    return Set.copyOf(blackholes);
  }

  private void blackhole(String ns, String address) throws IOException {
    if (blackholes.add(ns + " " + address)) {
      run("ip", "-n", ns, "route", "add", "blackhole", address + "/32");
    }
  }

  private void unblackhole(String ns, String address) throws IOException {
    if (blackholes.remove(ns + " " + address)) {
      run("ip", "-n", ns, "route", "del", "blackhole", address + "/32");
    }
  }

  /**
   * Deletes every namespace and link this made (stop the processes inside first: a namespace with a
   * process in it lives on, unnamed, until that process exits). Idempotent; errors are printed, not
   * thrown, so that the rest still goes.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run
      }
    }
    blackholes.clear();
    for (String ns : madeNamespaces) {
      quietly("ip", "netns", "delete", ns);
    }
    for (String link : madeLinks) {
      // a veth goes with its namespace; deleting it again just fails quietly
      if (link.equals(bridge)) {
        continue;
      }
      quietlyIfPresent(link);
    }
    quietlyIfPresent(bridge);
    try {
      Files.deleteIfExists(record);
    } catch (IOException e) {
      System.err.println("netns: cannot delete " + record + ": " + e.getMessage());
    }
  }

  /**
   * Deletes the namespaces and links listed in a record file (left by a JVM that was killed before
   * it could close them), then the file. Missing ones are skipped.
   */
  public static void cleanUp(Path record) throws IOException {
    if (!Files.isRegularFile(record)) {
      return;
    }
    List<String> lines = Files.readAllLines(record);
    for (String l : lines) {
      if (l.startsWith("netns ")) {
        quietly("ip", "netns", "delete", l.substring(6).trim());
      }
    }
    for (String l : lines) {
      if (l.startsWith("link ")) {
        quietlyIfPresent(l.substring(5).trim());
      }
    }
    Files.deleteIfExists(record);
  }

  private static void quietlyIfPresent(String link) {
    if (Files.exists(Path.of("/sys/class/net", link))) {
      try {
        run("ip", "link", "delete", link);
      } catch (IOException e) {
        // a veth the kernel was freeing along with its namespace is no error
        if (Files.exists(Path.of("/sys/class/net", link))) {
          System.err.println("netns: " + e.getMessage());
        }
      }
    }
  }

  private static void quietly(String... command) {
    try {
      run(command);
    } catch (IOException e) {
      System.err.println("netns: " + e.getMessage());
    }
  }

  private static int index(String id) {
    int i = Integer.parseInt(id);
    if (i < 1 || i > 200) {
      throw new IllegalArgumentException("node id " + id + " is not in 1..200");
    }
    return i;
  }

  /** 10.A.B.0/24 with A in 128..247 from a hash of {@code tag}, skipping any /24 in use here. */
  private static String freeSubnet(String tag) {
    String inUse;
    try {
      inUse = output("ip", "-4", "addr") + output("ip", "-4", "route");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int h = tag.hashCode() & 0x7fffffff;
    for (int attempt = 0; attempt < 1000; attempt++) {
      int v = (h + attempt * 7919) % (120 * 256);
      String subnet = "10." + (128 + v / 256) + "." + (v % 256) + ".";
      if (!inUse.contains(subnet)) {
        return subnet;
      }
    }
    throw new IllegalStateException("no free 10.x.y.0/24 found");
  }

  private static void run(String... command) throws IOException {
    output(command);
  }

  private static String output(String... command) throws IOException {
    return Commands.output(IP_TIMEOUT, command);
  }
}
