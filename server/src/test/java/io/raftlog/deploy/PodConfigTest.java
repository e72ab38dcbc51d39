package io.raftlog.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.config.ConfigKey;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.testkit.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entrypoint (deploy/docker/entrypoint.sh) run as a pod of the StatefulSet runs it,
 * with a stand-in {@code java} on PATH that records its arguments: the config file it writes for
 * the pod must pass the node's own config checks ({@link NodeConfig#load}), make ordinals 0-2 form
 * the cluster and higher ones join it, and keep the overlay's settings over the base's.
 */
class PodConfigTest {
  static final Path ENTRYPOINT = Dockerfile.ROOT.resolve("deploy/docker/entrypoint.sh");

  /** Where the image keeps the jars: the entrypoint's default RAFTLOG_HOME. */
  static final String IMAGE_HOME = "/opt/raftlog";

  static final String SUFFIX = ".raftlog-headless.prod.svc.cluster.local";

  @TempDir Path dir;
  private Path volume;
  private Path configDir;
  private Path bin;

  @BeforeEach
  void podFilesystem() throws IOException {
    volume = Files.createDirectories(dir.resolve("volume"));
    configDir = Files.createDirectories(dir.resolve("config"));
    // The ConfigMap of the example overlay: the base's file, then the overlay's.
    Files.copy(
        Dockerfile.ROOT.resolve("deploy/k8s/base/common.properties"),
        configDir.resolve("common.properties"));
    Files.copy(
        Dockerfile.ROOT.resolve("deploy/k8s/overlays/example/site.properties"),
        configDir.resolve("site.properties"));
    bin = Files.createDirectories(dir.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(java, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$JAVA_ARGS\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Runs the entrypoint as pod {@code pod}: the java arguments it ended with. */
  private Commands.Result start(String pod, String... moreEnv) throws IOException {
    List<String> command = new ArrayList<>(List.of("env", "-i"));
    command.addAll(
        List.of(
            "PATH=" + bin + ":/usr/bin:/bin",
            "JAVA_ARGS=" + dir.resolve("java.args"),
            "POD_NAME=" + pod,
            "POD_NAMESPACE=prod",
            "RAFTLOG_HEADLESS_SERVICE=raftlog-headless",
            "RAFTLOG_CLIENT_SERVICE=raftlog",
            "RAFTLOG_CONFIG_DIR=" + configDir,
            "RAFTLOG_DATA=" + volume));
    command.addAll(List.of(moreEnv));
    command.addAll(List.of("bash", ENTRYPOINT.toString()));
    return Commands.run(Duration.ofSeconds(20), command);
  }

  /** The node's config as the entrypoint handed it to the JVM, loaded as the node loads it. */
  private NodeConfig startedNode(String pod, String... moreEnv) throws IOException {
    start(pod, moreEnv).orThrow();
    List<String> args = Files.readAllLines(dir.resolve("java.args"));
    assertEquals(IMAGE_HOME + "/raftlog-server.jar", args.get(args.indexOf("-jar") + 1));
    Path config = Path.of(args.get(args.indexOf("--config") + 1));
    assertEquals(volume.resolve("node.properties"), config, "the config is on the pod's volume");
    return NodeConfig.load(config, Map.of());
  }

  @Test
  void ordinalsZeroToTwoFormTheClusterByTheirDnsNames() throws IOException {
    NodeConfig node = startedNode("raftlog-1");
    assertEquals("1", node.get(ConfigKeys.NODE_ID), "pod raftlog-N is node N");
    assertTrue(node.forms());
    assertEquals(
        List.of(
            "0@raftlog-0" + SUFFIX + ":8101@raftlog-0" + SUFFIX + ":9001",
            "1@raftlog-1" + SUFFIX + ":8101@raftlog-1" + SUFFIX + ":9001",
            "2@raftlog-2" + SUFFIX + ":8101@raftlog-2" + SUFFIX + ":9001"),
        node.get(ConfigKeys.CLUSTER_PEERS).stream().map(Peer::spec).toList());
    assertEquals(
        new Peer("1", "raftlog-1" + SUFFIX + ":8101", "raftlog-1" + SUFFIX + ":9001"), node.self());
    assertEquals(volume.resolve("data"), node.get(ConfigKeys.DATA_DIR));
    assertEquals(9200, node.get(ConfigKeys.HTTP_PORT), "/metrics and the console on 9200");
  }

  @Test
  void theHttpPortComesFromTheEnvironmentNotTheCommonFiles() throws IOException {
    assertEquals(0, startedNode("raftlog-0", "RAFTLOG_HTTP_PORT=0").get(ConfigKeys.HTTP_PORT));
    Files.writeString(configDir.resolve("site.properties"), "http.port=8080\n");
    Commands.Result r = start("raftlog-0");
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains("site.properties sets a key each pod derives"), r.output());
  }

  @Test
  void higherOrdinalsJoinThroughTheClientServiceThenTheFounders() throws IOException {
    NodeConfig node = startedNode("raftlog-3"); // the first ordinal past the founders
    assertEquals("3", node.get(ConfigKeys.NODE_ID));
    assertFalse(node.forms());
    assertEquals(List.of(), node.get(ConfigKeys.CLUSTER_PEERS));
    assertEquals(
        List.of(
            "raftlog.prod.svc.cluster.local:9001",
            "raftlog-0" + SUFFIX + ":9001",
            "raftlog-1" + SUFFIX + ":9001",
            "raftlog-2" + SUFFIX + ":9001"),
        node.get(ConfigKeys.CLUSTER_JOIN));
    assertEquals("raftlog-3" + SUFFIX + ":8101", node.self().raftAddress());
  }

  @Test
  void aFounderAnnotatedToJoinJoinsThroughTheOthers() throws IOException {
    NodeConfig node = startedNode("raftlog-2", "RAFTLOG_JOIN=true");
    assertFalse(node.forms());
    assertEquals(
        List.of(
            "raftlog.prod.svc.cluster.local:9001",
            "raftlog-0" + SUFFIX + ":9001",
            "raftlog-1" + SUFFIX + ":9001"),
        node.get(ConfigKeys.CLUSTER_JOIN));
  }

  @Test
  void overlaySettingsOverrideTheBase() throws IOException {
    assertEquals(12, startedNode("raftlog-0").get(ConfigKeys.CLUSTER_SHARDS));
  }

  @Test
  void everyCommonSettingIsAKeyTheNodeKnows() throws IOException {
    // The node ignores keys it does not declare: a misspelt one would silently take its default.
    Set<String> known = ConfigKeys.ALL.stream().map(ConfigKey::name).collect(Collectors.toSet());
    for (Path file :
        List.of(configDir.resolve("common.properties"), configDir.resolve("site.properties"))) {
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(file)) {
        p.load(in);
      }
      for (String key : p.stringPropertyNames()) {
        assertTrue(known.contains(key), file.getFileName() + ": " + key + " is not a config key");
      }
    }
  }

  @Test
  void commonSettingsThatNameANodeAreRefused() throws IOException {
    Files.writeString(configDir.resolve("site.properties"), "node.id=7\n");
    Commands.Result r = start("raftlog-0");
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains("site.properties sets a key each pod derives"), r.output());
  }

  @Test
  void aPodNameWithoutAnOrdinalIsRefused() throws IOException {
    Commands.Result r = start("raftlog");
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains("is not <statefulset>-<ordinal>"), r.output());
  }
}
