package io.raftlog.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is in a test cluster and where: node ids {@code 1..size}, each with a free loopback Raft port
 * and client port, and the properties each node starts from, in the format of a node's config file
 * ({@code cluster-config/}). In-process and process clusters both start nodes from these
 * properties, so a setting means the same in both. {@link #onHosts} puts each node on a host of its
 * own instead (a network namespace's address, see {@link NetworkNamespaces}), on fixed ports.
 *
 * <p>Nodes can come and go after the cluster is formed: {@link #addJoining} lays out a node that
 * joins through {@code cluster.join} instead of {@code cluster.peers}, {@link #remove} takes one
 * out. The ids are read by the test's threads while its fault thread changes them, so every method
 * is thread-safe.
 */
public final class ClusterLayout {
  /** The Raft port of a node on a host of its own ({@link #onHosts}). */
  public static final int HOST_RAFT_PORT = 7000;

  /** The client port of a node on a host of its own ({@link #onHosts}). */
  public static final int HOST_CLIENT_PORT = 9000;

  private final Map<String, String> clientAddresses =
      Collections.synchronizedMap(new LinkedHashMap<>());
  private final Map<String, String> raftAddresses = new ConcurrentHashMap<>();

  /** The {@code cluster.join} addresses of each node added after the cluster was formed. */
  private final Map<String, List<String>> joins = new ConcurrentHashMap<>();

  private final String peers;
  private final Map<String, String> settings;

  /**
   * @param size the number of nodes
   * @param settings keys and values every node gets besides its id, data dir and peers (e.g. {@code
   *     raft.snapshot-entries=200}); the node checks them when it starts
   */
  public ClusterLayout(int size, Map<String, String> settings) {
    this(loopback(size), settings);
  }

  /** Raft and client address of each node, by id in order. */
  private ClusterLayout(List<String[]> addresses, Map<String, String> settings) {
    List<String> specs = new ArrayList<>();
    for (int i = 1; i <= addresses.size(); i++) {
      String id = String.valueOf(i);
      String raft = addresses.get(i - 1)[0];
      String client = addresses.get(i - 1)[1];
      clientAddresses.put(id, client);
      raftAddresses.put(id, raft);
      specs.add(id + "@" + raft + "@" + client);
    }
    this.peers = String.join(",", specs);
    this.settings = Map.copyOf(settings);
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
    List<String[]> a = new ArrayList<>();
    for (String h : hosts) {
      a.add(new String[] {h + ":" + HOST_RAFT_PORT, h + ":" + HOST_CLIENT_PORT});
    }
    return new ClusterLayout(a, settings);
  }

  public List<String> ids() {
    synchronized (clientAddresses) {
      return List.copyOf(clientAddresses.keySet());
    }
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

  public String raftAddress(String id) {
    clientAddress(id); // the same message for an unknown id
    return raftAddresses.get(id);
  }

  /**
   * Adds node {@code id} at {@code raftAddress} and {@code clientAddress} (host:port), joining the
   * running cluster through {@code join} (client addresses of running nodes) rather than forming
   * it: its config names only itself and {@code cluster.join}.
   */
  public void addJoining(String id, String raftAddress, String clientAddress, List<String> join) {
    if (join.isEmpty()) {
      throw new IllegalArgumentException("node " + id + " needs an address to join through");
    }
    synchronized (clientAddresses) {
      if (clientAddresses.containsKey(id)) {
        throw new IllegalArgumentException("node " + id + " is in this cluster already");
      }
      raftAddresses.put(id, raftAddress);
      joins.put(id, List.copyOf(join));
      clientAddresses.put(id, clientAddress);
    }
  }

  /** Takes node {@code id} out (it was removed from the cluster); its data stays where it was. */
  public void remove(String id) {
    synchronized (clientAddresses) {
      clientAddress(id);
      clientAddresses.remove(id);
      raftAddresses.remove(id);
      joins.remove(id);
    }
  }

  /**
   * Node {@code id}'s config, keeping its data in {@code dataDir}: {@code cluster.peers} for a node
   * that formed the cluster, its own addresses and {@code cluster.join} for one that joined it.
   */
  public Properties properties(String id, Path dataDir) {
    Properties p = new Properties();
    p.setProperty("node.id", id);
    p.setProperty("data.dir", dataDir.toString());
    List<String> join = joins.get(id);
    if (join == null) {
      p.setProperty("cluster.peers", peers);
    } else {
      p.setProperty("node.raft-address", raftAddress(id));
      p.setProperty("node.client-address", clientAddress(id));
      p.setProperty("cluster.join", String.join(",", join));
    }
    p.putAll(settings);
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
