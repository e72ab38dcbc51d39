package io.raftlog.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Who is in a test cluster and where: node ids {@code 1..size}, each with a free loopback Raft port
 * and client port, and the properties each node starts from, in the format of a node's config file
 * ({@code cluster-config/}). In-process and process clusters both start nodes from these
 * properties, so a setting means the same in both. {@link #onHosts} puts each node on a host of its
 * own instead (a network namespace's address, see {@link NetworkNamespaces}), on fixed ports.
 */
public final class ClusterLayout {
  /** The Raft port of a node on a host of its own ({@link #onHosts}). */
  public static final int HOST_RAFT_PORT = 7000;

  /** The client port of a node on a host of its own ({@link #onHosts}). */
  public static final int HOST_CLIENT_PORT = 9000;

  private final Map<String, String> clientAddresses =
      java.util.Collections.synchronizedMap(new LinkedHashMap<>());
  // Nodes added after the cluster was formed: id -> {raft address, client address}.
  private final Map<String, String[]> joiners = new java.util.concurrent.ConcurrentHashMap<>();
  private final String peers;
  private final Map<String, String> settings;
  private final ClusterTls tls; // null: plaintext, as the settings say
  // Node id -> its HTTP port, drawn when the settings ask for one (HTTP_PORT_FREE).
  private final Map<String, Integer> httpPorts = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The value of {@code http.port} in a layout's settings that gives each node a free port of its
   * own (read it back with {@link #httpAddress}).
   */
  public static final String HTTP_PORT_FREE = "free";

  /**
   * @param size the number of nodes
   * @param settings keys and values every node gets besides its id, data dir and peers (e.g. {@code
   *     raft.snapshot-entries=200}); the node checks them when it starts
   */
  public ClusterLayout(int size, Map<String, String> settings) {
    this(loopback(size), settings, null);
  }

  /**
   * As {@link #ClusterLayout(int, Map)}, each node also getting {@code tls}'s keys (its own
   * certificate files; {@code settings} win over them), and the kit's channels {@code tls}'s
   * credentials.
   */
  public ClusterLayout(int size, Map<String, String> settings, ClusterTls tls) {
    this(loopback(size), settings, tls);
  }

  /** Raft and client address of each node, by id in order. */
  private ClusterLayout(List<String[]> addresses, Map<String, String> settings, ClusterTls tls) {
    List<String> specs = new ArrayList<>();
    for (int i = 1; i <= addresses.size(); i++) {
      String id = String.valueOf(i);
      String raft = addresses.get(i - 1)[0];
      String client = addresses.get(i - 1)[1];
      clientAddresses.put(id, client);
      specs.add(id + "@" + raft + "@" + client);
    }
    this.peers = String.join(",", specs);
    this.settings = Map.copyOf(settings);
    this.tls = tls;
  }

  /** The cluster's TLS, or null when it has none from the kit. */
  public ClusterTls tls() {
    return tls;
  }

  /** The credentials the kit's channels to the nodes use: {@link #tls()}'s, or plaintext. */
  public io.grpc.ChannelCredentials kitCredentials() {
    return tls == null ? io.grpc.InsecureChannelCredentials.create() : tls.kitCredentials();
  }

  private static List<String[]> loopback(int size) {
    List<String[]> a = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      String client = FreePorts.loopbackAddress();
      a.add(new String[] {FreePorts.loopbackAddress(), client});
    }
    return a;
  }

  /**
   * Node {@code i} (from 1) on {@code hosts.get(i - 1)}, Raft on {@link #HOST_RAFT_PORT} and
   * clients on {@link #HOST_CLIENT_PORT}: fixed ports are free there, each host being its own.
   */
  public static ClusterLayout onHosts(List<String> hosts, Map<String, String> settings) {
    return onHosts(hosts, settings, null);
  }

  /**
   * As {@link #onHosts(List, Map)}, with {@code tls} (null: none): each node's certificate also
   * names its host, which is what its callers dial.
   */
  public static ClusterLayout onHosts(
      List<String> hosts, Map<String, String> settings, ClusterTls tls) {
    List<String[]> a = new ArrayList<>();
    for (String h : hosts) {
      a.add(new String[] {h + ":" + HOST_RAFT_PORT, h + ":" + HOST_CLIENT_PORT});
    }
    return new ClusterLayout(a, settings, tls);
  }

  public List<String> ids() {
    synchronized (clientAddresses) {
      return List.copyOf(clientAddresses.keySet());
    }
  }

  /**
   * Adds a node that joins the running cluster (ids go on from the last one, on free loopback
   * ports): its config names its own addresses and, in {@code cluster.join}, the client addresses
   * of the nodes before it, and no {@code cluster.peers}.
   *
   * @return the new node's id
   */
  public synchronized String addJoiner() {
    String id = String.valueOf(ids().stream().mapToInt(Integer::parseInt).max().orElse(0) + 1);
    String[] a = {FreePorts.loopbackAddress(), FreePorts.loopbackAddress()};
    joiners.put(id, a);
    clientAddresses.put(id, a[1]);
    return id;
  }

  /**
   * As {@link #addJoiner()}, on the given addresses (host:port): a node that takes the place of one
   * removed, as a machine wiped and brought back under a new id.
   *
   * @return the new node's id
   */
  public synchronized String addJoiner(String raftAddress, String clientAddress) {
    String id = String.valueOf(ids().stream().mapToInt(Integer::parseInt).max().orElse(0) + 1);
    joiners.put(id, new String[] {raftAddress, clientAddress});
    clientAddresses.put(id, clientAddress);
    return id;
  }

  /** Node {@code id}'s Raft address, from {@code cluster.peers} or as it was added. */
  public String raftAddress(String id) {
    String[] joiner = joiners.get(id);
    if (joiner != null) {
      return joiner[0];
    }
    for (String spec : peers.split(",")) {
      String[] p = spec.split("@");
      if (p[0].equals(id)) {
        return p[1];
      }
    }
    throw new IllegalArgumentException("no node " + id + " in this cluster: " + ids());
  }

  public String clientAddress(String id) {
    String a = clientAddresses.get(id);
    if (a == null) {
      throw new IllegalArgumentException("no node " + id + " in this cluster: " + ids());
    }
    return a;
  }

  public List<String> clientAddresses() {
    synchronized (clientAddresses) {
      return List.copyOf(clientAddresses.values());
    }
  }

  /**
   * Node {@code id}'s HTTP address (/metrics, the console) when the settings gave {@code
   * http.port=}{@link #HTTP_PORT_FREE}; else null.
   */
  public String httpAddress(String id) {
    if (!HTTP_PORT_FREE.equals(settings.get("http.port"))) {
      return null;
    }
    String client = clientAddress(id);
    return client.substring(0, client.lastIndexOf(':') + 1) + httpPort(id);
  }

  private int httpPort(String id) {
    return httpPorts.computeIfAbsent(
        id,
        k -> {
          String a = FreePorts.loopbackAddress();
          return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
        });
  }

  /** Node {@code id}'s config, keeping its data in {@code dataDir}. */
  public Properties properties(String id, Path dataDir) {
    Properties p = new Properties();
    p.setProperty("node.id", id);
    p.setProperty("data.dir", dataDir.toString());
    String[] joiner = joiners.get(id);
    if (joiner == null) {
      p.setProperty("cluster.peers", peers);
    } else {
      p.setProperty("node.raft-address", joiner[0]);
      p.setProperty("node.client-address", joiner[1]);
      p.setProperty(
          "cluster.join",
          String.join(",", clientAddresses().stream().filter(a -> !a.equals(joiner[1])).toList()));
    }
    if (tls != null) {
      String client = clientAddress(id);
      p.putAll(tls.settings(id, client.substring(0, client.lastIndexOf(':'))));
    }
    p.putAll(settings);
    if (HTTP_PORT_FREE.equals(settings.get("http.port"))) {
      p.setProperty("http.port", String.valueOf(httpPort(id)));
    }
    return p;
  }

  /** Writes node {@code id}'s config file, as a user would write one. */
  public void writeProperties(String id, Path dataDir, Path file) {
    try (Writer w = Files.newBufferedWriter(file)) {
      properties(id, dataDir).store(w, "raftlog node " + id + " (written by the test kit)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
