package io.raftlog.chaos;

import io.raftlog.client.RaftlogClientBuilder;
import io.raftlog.testkit.ClusterTls;
import io.raftlog.testkit.NetworkNamespaces;
import io.raftlog.testkit.ProcessCluster;
import io.raftlog.testkit.SmallDisk;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a chaos run's nodes run on, set up for its mode: {@code --nodes} node processes (not started
 * yet; more join later in the modes that change members, see {@link Membership}), each in a network
 * namespace of its own where the mode cuts links, each with its data on a small filesystem of its
 * own where the mode fills disks, with mutual TLS on both hops and certificates of the run's own
 * with {@code --tls} ({@link RunCertificates}). The run owns it and closes it at the end: the nodes
 * stop, then the network goes, then the disks are unmounted; a shutdown hook does the same on
 * Ctrl-C or SIGTERM.
 */
final class Testbed implements AutoCloseable {
  private final PrintStream log;
  private final Map<String, SmallDisk> disks;
  private final NetworkNamespaces network; // null: the nodes run on loopback
  private final ProcessCluster nodes;
  private final RunCertificates certificates; // null: plaintext
  private final Thread onExit;

  private Testbed(
      PrintStream log,
      Map<String, SmallDisk> disks,
      NetworkNamespaces network,
      ProcessCluster nodes,
      RunCertificates certificates) {
    this.log = log;
    this.disks = disks;
    this.network = network;
    this.nodes = nodes;
    this.certificates = certificates;
    this.onExit = new Thread(this::tearDown, "chaos-stop-nodes");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /**
   * Lays out the nodes of a run of {@code o} in its data directory (made if missing), mounting and
   * making what the mode needs; an IllegalStateException if the mode needs what cannot be made
   * here. Mode mixed makes what it can and says what it runs without.
   */
  static Testbed create(ChaosOptions o, PrintStream log) throws IOException {
    boolean namespaces = namespaces(o.mode(), log);
    boolean smallDisks = smallDisks(o.mode(), log);
    Files.createDirectories(o.dataDir());
    RunCertificates certificates = o.tls() ? RunCertificates.create(o.dataDir()) : null;
    Map<String, SmallDisk> disks = new TreeMap<>();
    NetworkNamespaces network = null;
    try {
      if (smallDisks) {
        mount(o, disks);
      }
      Map<String, String> settings = new TreeMap<>(smallDisks ? FillDisk.nodeSettings() : Map.of());
      settings.put("retention.check-interval-ms", String.valueOf(ChaosRun.RETENTION_CHECK_MS));
      ClusterTls tls = null;
      if (certificates != null) {
        settings.putAll(RunCertificates.nodeSettings());
        tls = certificates.cluster();
      }
      if (namespaces) {
        network =
            NetworkNamespaces.create(o.nodes(), o.dataDir().resolve(NetworkNamespaces.RECORD_FILE));
      }
      ProcessCluster nodes =
          network != null
              ? new ProcessCluster(o.dataDir(), o.serverJar(), settings, network, tls)
              : new ProcessCluster(o.dataDir(), o.nodes(), o.serverJar(), settings, tls);
      return new Testbed(log, disks, network, nodes, certificates);
    } catch (IOException | RuntimeException e) {
      if (network != null) {
        network.close();
      }
      unmount(disks, log);
      throw e;
    }
  }

  /** Whether the nodes run in namespaces: partition modes must, mixed does when it can. */
  private static boolean namespaces(Mode mode, PrintStream log) {
    Optional<String> noNetwork = NetworkNamespaces.unavailableReason();
    if (mode.needsNetwork() && noNetwork.isPresent()) {
      throw new IllegalStateException(
          "mode " + mode.label() + " needs network namespaces: " + noNetwork.get());
    }
    if (mode == Mode.MIXED && noNetwork.isPresent()) {
      log.printf("chaos: mode mixed runs without partitions: %s%n", noNetwork.get());
    }
    return noNetwork.isEmpty() && (mode.needsNetwork() || mode == Mode.MIXED);
  }

  /** Whether each node's data is on a tmpfs: full-disk modes must, mixed does when it can mount. */
  private static boolean smallDisks(Mode mode, PrintStream log) {
    boolean mountable = SmallDisk.mountPermitted();
    if (mode.needsDisks() && !mountable) {
      throw new IllegalStateException(
          "mode " + mode.label() + " needs to mount a tmpfs per node (run it as root)");
    }
    if (mode == Mode.MIXED && !mountable) {
      log.printf("chaos: mode mixed runs without full disks: a tmpfs cannot be mounted here%n");
    }
    return mountable && (mode.needsDisks() || mode == Mode.MIXED);
  }

  private static void mount(ChaosOptions o, Map<String, SmallDisk> disks) throws IOException {
    for (int i = 1; i <= o.nodes(); i++) {
      String id = String.valueOf(i);
      // where ProcessCluster keeps node id's data
      Path data = o.dataDir().resolve("node-" + id).resolve("data");
      disks.put(id, SmallDisk.mount(data, diskMib(o)));
    }
  }

  /**
   * Size of each node's tmpfs in runs with full disks: room for four times the bytes the run offers
   * (records, Raft log, RocksDB's files) and 256 MiB besides, at least 512 MiB. tmpfs takes memory
   * only as it fills, but a fault's ballast fills it all, and the larger it is the longer the fill
   * takes.
   */
  private static int diskMib(ChaosOptions o) {
    long offered = (long) o.rate() * o.duration().toSeconds() * o.recordBytes();
    return (int) Math.max(512, 256 + (offered * 4 >> 20));
  }

  ProcessCluster nodes() {
    return nodes;
  }

  /**
   * {@code builder} as every client of the run's nodes needs it: with the tool's client certificate
   * where the run has TLS on, else as it is.
   */
  RaftlogClientBuilder client(RaftlogClientBuilder builder) {
    return certificates == null ? builder : certificates.client(builder);
  }

  /** The run's certificates, or null where it runs in plaintext. */
  RunCertificates certificates() {
    return certificates;
  }

  /** The nodes' network, or null where they run on loopback. */
  NetworkNamespaces network() {
    return network;
  }

  /** Each node's small filesystem; empty unless the mode fills disks. */
  Map<String, SmallDisk> disks() {
    return disks;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running already
    }
    tearDown();
  }

  /** The nodes first, then the network they ran in, then the disks they wrote to. */
  private void tearDown() {
    nodes.close();
    if (network != null) {
      network.close();
    }
    unmount(disks, log);
  }

  private static void unmount(Map<String, SmallDisk> disks, PrintStream log) {
    for (Map.Entry<String, SmallDisk> d : disks.entrySet()) {
      try {
        d.getValue().close();
      } catch (IOException e) {
        log.printf("chaos: could not unmount node %s's disk: %s%n", d.getKey(), e.getMessage());
      }
    }
  }
}
