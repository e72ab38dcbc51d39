package io.raftlog.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftlog.config.ConfigKeys;
import io.raftlog.testkit.Commands;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests (deploy/k8s/) as {@code kubectl kustomize} renders the example overlay,
 * checked against the rules docs/kubernetes.md gives for running raftlog: pods started together,
 * each with its volume and a DNS name its peers resolve before it is ready, one node down at a
 * time, health probes on the client port, time to hand leaderships over on SIGTERM, no root. And
 * against the image the Dockerfile builds (its ports, its user). Nothing is applied to a cluster.
 *
 * <p>kubectl is on the build machines; where it is not, these tests are skipped (assumptions) and
 * say so.
 */
class KubernetesManifestsTest {
  static final Path OVERLAY = Dockerfile.ROOT.resolve("deploy/k8s/overlays/example");
  static final String DATA_MOUNT = "/var/lib/raftlog";

  /** The rendered objects, by kind and name; rendered once for the class. */
  private static Map<String, Map<String, Object>> rendered;

  private static synchronized Map<String, Map<String, Object>> rendered() throws IOException {
    if (rendered == null) {
      Commands.Result version;
      try {
        version = Commands.run(Duration.ofSeconds(20), List.of("kubectl", "version", "--client"));
      } catch (IOException e) {
        version = null;
      }
      assumeTrue(
          version != null && version.ok(),
          "kubectl is not on PATH: the Kubernetes manifests were not rendered or checked");
      String yaml = Commands.output(Duration.ofSeconds(60), "kubectl", "kustomize", "" + OVERLAY);
      Map<String, Map<String, Object>> byKindAndName = new TreeMap<>();
      for (Object doc : new Yaml().loadAll(yaml)) {
        Map<String, Object> object = Yaml.map(doc);
        byKindAndName.put(
            Yaml.str(object, "kind") + "/" + Yaml.str(object, "metadata", "name"), object);
      }
      rendered = byKindAndName;
    }
    return rendered;
  }

  private static Map<String, Object> object(String kind, String name) throws IOException {
    Map<String, Object> o = rendered().get(kind + "/" + name);
    assertNotNull(
        o, "the example overlay renders no " + kind + " " + name + ": " + rendered.keySet());
    return o;
  }

  private static List<Map<String, Object>> all(String kind) throws IOException {
    List<Map<String, Object>> found = new ArrayList<>();
    rendered()
        .forEach(
            (key, o) -> {
              if (key.startsWith(kind + "/")) {
                found.add(o);
              }
            });
    return found;
  }

  private static Map<String, Object> statefulSet() throws IOException {
    List<Map<String, Object>> sets = all("StatefulSet");
    assertEquals(1, sets.size(), "one StatefulSet");
    return sets.get(0);
  }

  private static Map<String, Object> container() throws IOException {
    List<Object> containers = Yaml.list(statefulSet(), "spec", "template", "spec", "containers");
    assertEquals(1, containers.size(), "one container per pod");
    return Yaml.map(containers.get(0));
  }

  /** The container's port named {@code name}. */
  private static int containerPort(String name) throws IOException {
    for (Object p : Yaml.list(container(), "ports")) {
      if (name.equals(Yaml.str(p, "name"))) {
        return Yaml.integer(p, "containerPort");
      }
    }
    throw new AssertionError("the container has no port named " + name);
  }

  private static String env(String name) throws IOException {
    for (Object e : Yaml.list(container(), "env")) {
      if (name.equals(Yaml.str(e, "name"))) {
        return Yaml.str(e, "value");
      }
    }
    throw new AssertionError("the container sets no " + name);
  }

  private static Map<String, Object> podLabels() throws IOException {
    return Yaml.map(Yaml.at(statefulSet(), "spec", "template", "metadata", "labels"));
  }

  /** Whether every label of {@code selector} is on the pods (and it selects something). */
  private static void assertSelectsThePods(Object selector, String what) throws IOException {
    Map<String, Object> s = Yaml.map(selector);
    assertFalse(s.isEmpty(), what + " has an empty selector");
    Map<String, Object> labels = podLabels();
    s.forEach((k, v) -> assertEquals(v, labels.get(k), what + " selects the pods' " + k));
  }

  @Test
  void statefulSetStartsEveryPodAtOnceEachWithItsOwnVolume() throws IOException {
    Map<String, Object> set = statefulSet();
    assertEquals("Parallel", Yaml.str(set, "spec", "podManagementPolicy"));
    assertEquals(5, Yaml.integer(set, "spec", "replicas"), "the example overlay runs five nodes");
    assertSelectsThePods(Yaml.at(set, "spec", "selector", "matchLabels"), "the StatefulSet");
    List<Object> claims = Yaml.list(set, "spec", "volumeClaimTemplates");
    assertEquals(1, claims.size(), "one volume claim per pod");
    String claim = Yaml.str(claims.get(0), "metadata", "name");
    boolean mounted = false;
    for (Object m : Yaml.list(container(), "volumeMounts")) {
      mounted |= claim.equals(Yaml.str(m, "name")) && DATA_MOUNT.equals(Yaml.str(m, "mountPath"));
    }
    assertTrue(mounted, "the claim " + claim + " is mounted at " + DATA_MOUNT);
    assertEquals(DATA_MOUNT, Dockerfile.read().volume(), "the image's VOLUME");
  }

  @Test
  void scaleDownKeepsTheVolumeOfAPodScaledAwayWithoutADrain() throws IOException {
    Object policy = Yaml.at(statefulSet(), "spec", "persistentVolumeClaimRetentionPolicy");
    // Absent, both are Retain; Delete on scale-down would drop the replicas of an undrained pod.
    String whenScaled = policy == null ? "Retain" : Yaml.str(policy, "whenScaled");
    assertEquals("Retain", whenScaled == null ? "Retain" : whenScaled);
  }

  @Test
  void headlessServiceNamesEveryPodBeforeItIsReady() throws IOException {
    String serviceName = Yaml.str(statefulSet(), "spec", "serviceName");
    Map<String, Object> headless = object("Service", serviceName);
    assertEquals("None", Yaml.str(headless, "spec", "clusterIP"), serviceName + " is headless");
    assertEquals(true, Yaml.at(headless, "spec", "publishNotReadyAddresses"));
    assertSelectsThePods(Yaml.at(headless, "spec", "selector"), serviceName);
    assertEquals(serviceName, env("RAFTLOG_HEADLESS_SERVICE"), "the name the entrypoint builds");
    List<Integer> ports = new ArrayList<>();
    for (Object p : Yaml.list(headless, "spec", "ports")) {
      ports.add(targetPort(p));
    }
    assertTrue(ports.contains(containerPort("raft")), serviceName + " has the Raft port");
    assertTrue(ports.contains(containerPort("grpc")), serviceName + " has the client port");
    assertTrue(ports.contains(containerPort("http")), serviceName + " has the HTTP port");
    assertEquals("" + containerPort("raft"), env("RAFTLOG_RAFT_PORT"));
  }

  @Test
  void clientServiceLeadsToEveryReadyNodesClientPort() throws IOException {
    String name = env("RAFTLOG_CLIENT_SERVICE");
    Map<String, Object> client = object("Service", name);
    assertNotEquals("None", Yaml.str(client, "spec", "clusterIP"), name + " is not headless");
    assertNotEquals(true, Yaml.at(client, "spec", "publishNotReadyAddresses"), "ready nodes only");
    assertSelectsThePods(Yaml.at(client, "spec", "selector"), name);
    List<Object> ports = Yaml.list(client, "spec", "ports");
    assertEquals(1, ports.size(), name + " has one port");
    assertEquals(containerPort("grpc"), targetPort(ports.get(0)));
    assertEquals("" + containerPort("grpc"), env("RAFTLOG_CLIENT_PORT"));
    assertEquals(name + ":" + Yaml.integer(ports.get(0), "port"), env("RAFTLOG_SERVERS"));
  }

  /** A Service port's target as a number (a name is looked up among the container's ports). */
  private static int targetPort(Object servicePort) throws IOException {
    Object target = Yaml.at(servicePort, "targetPort");
    if (target == null) {
      return Yaml.integer(servicePort, "port");
    }
    return target instanceof Integer n ? n : containerPort((String) target);
  }

  @Test
  void disruptionBudgetLetsOneNodeGoAtATime() throws IOException {
    List<Map<String, Object>> budgets = all("PodDisruptionBudget");
    assertEquals(1, budgets.size(), "one PodDisruptionBudget");
    Map<String, Object> pdb = budgets.get(0);
    assertEquals(1, Yaml.at(pdb, "spec", "maxUnavailable"));
    assertSelectsThePods(Yaml.at(pdb, "spec", "selector", "matchLabels"), "the budget");
  }

  @Test
  void everyProbeAsksGrpcHealthOnTheClientPort() throws IOException {
    int clientPort = containerPort("grpc");
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      Map<String, Object> p = Yaml.map(Yaml.at(container(), probe));
      assertEquals(clientPort, Yaml.integer(p, "grpc", "port"), probe + " is a grpc: probe");
      for (String other : List.of("exec", "httpGet", "tcpSocket")) {
        assertFalse(p.containsKey(other), probe + " has no " + other);
      }
    }
  }

  @Test
  void terminationGraceOutlastsTheLeadershipHandOff() throws IOException {
    long handOffMs = ConfigKeys.SHUTDOWN_HAND_OFF_MS.defaultValue();
    // The ConfigMap's files in the entrypoint's order: a later file's value wins.
    Map<String, Object> data = Yaml.map(Yaml.at(configMap(), "data"));
    for (Object text : new TreeMap<>(data).values()) {
      Properties p = new Properties();
      p.load(new StringReader((String) text));
      String v = p.getProperty(ConfigKeys.SHUTDOWN_HAND_OFF_MS.name());
      handOffMs = v == null ? handOffMs : Long.parseLong(v.trim());
    }
    long graceMs =
        1000L
            * Yaml.integer(
                statefulSet(), "spec", "template", "spec", "terminationGracePeriodSeconds");
    assertTrue(
        graceMs >= handOffMs + GRACE_MARGIN_MS,
        "terminationGracePeriodSeconds ("
            + graceMs
            + " ms) leaves the hand-off ("
            + handOffMs
            + " ms) and "
            + GRACE_MARGIN_MS
            + " ms to close the stores");
  }

  /**
   * Time for a node to close once its hand-off is over: RaftlogServer.close() waits up to 5 s for
   * calls to drain, 5 s more for them to be cut and 5 s for reads, then closes Raft and RocksDB.
   */
  static final long GRACE_MARGIN_MS = 20_000;

  /** The ConfigMap the pods mount at /etc/raftlog (the entrypoint's default config dir). */
  private static Map<String, Object> configMap() throws IOException {
    String volume = null;
    for (Object m : Yaml.list(container(), "volumeMounts")) {
      if ("/etc/raftlog".equals(Yaml.str(m, "mountPath"))) {
        volume = Yaml.str(m, "name");
      }
    }
    assertNotNull(volume, "a volume is mounted at /etc/raftlog");
    for (Object v : Yaml.list(statefulSet(), "spec", "template", "spec", "volumes")) {
      if (volume.equals(Yaml.str(v, "name"))) {
        return object("ConfigMap", Yaml.str(v, "configMap", "name"));
      }
    }
    throw new AssertionError("no volume " + volume + " in the pod");
  }

  @Test
  void podsRunAsTheImagesNonRootUser() throws IOException {
    Map<String, Object> pod = Yaml.map(Yaml.at(statefulSet(), "spec", "template", "spec"));
    assertEquals(true, Yaml.at(pod, "securityContext", "runAsNonRoot"));
    int uid = Yaml.integer(pod, "securityContext", "runAsUser");
    assertEquals(Dockerfile.read().uid(), uid, "the pod runs as the image's USER");
    assertEquals(uid, Yaml.integer(pod, "securityContext", "fsGroup"), "and owns its volume");
    assertEquals(false, Yaml.at(container(), "securityContext", "allowPrivilegeEscalation"));
  }

  @Test
  void imageExposesTheContainersPorts() throws IOException {
    assertEquals(
        List.of(containerPort("grpc"), containerPort("raft"), containerPort("http")).stream()
            .sorted()
            .toList(),
        Dockerfile.read().exposed().stream().sorted().toList());
  }

  @Test
  void podsTellPrometheusWhereTheirMetricsAre() throws IOException {
    int http = containerPort("http");
    assertEquals("" + http, env("RAFTLOG_HTTP_PORT"), "the port the entrypoint gives http.port");
    Object annotations = Yaml.at(statefulSet(), "spec", "template", "metadata", "annotations");
    assertEquals("true", Yaml.str(annotations, "prometheus.io/scrape"));
    assertEquals("" + http, Yaml.str(annotations, "prometheus.io/port"));
    assertEquals("/metrics", Yaml.str(annotations, "prometheus.io/path"));
  }
}
