package io.raftlog.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.deploy.Dockerfile.Instruction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile's rules, read from the file (no Docker engine on the build machines: the image is
 * never built here): a Maven stage on a pinned JDK 17, a runtime stage on a pinned JRE 17 holding
 * only the jars and scripts, run as a numeric non-root user through the entrypoint, which finds the
 * server jar where the Dockerfile put it.
 */
class DockerfileTest {
  /** A pinned image: a full version in its tag (17.0.13_11, 3.9.9) or a digest. */
  static final String PINNED = ".*(:[^:@]*[0-9]+\\.[0-9]+\\.[0-9]+[^:@]*|@sha256:[0-9a-f]{64})";

  private static List<Instruction> froms() throws IOException {
    List<Instruction> froms = Dockerfile.read().all("FROM");
    assertTrue(froms.size() >= 2, "multi-stage: a build stage, then the runtime stage: " + froms);
    return froms;
  }

  @Test
  void buildStageIsMavenOnAPinnedJdk17() throws IOException {
    List<String> build = froms().get(0).words();
    assertTrue(build.get(0).matches("maven:.*eclipse-temurin-17.*"), "Maven on JDK 17: " + build);
    assertTrue(build.get(0).matches(PINNED), "pinned: " + build.get(0));
    assertEquals(List.of("AS", "build"), List.of(build.get(1).toUpperCase(), build.get(2)));
  }

  @Test
  void runtimeStageIsAPinnedJre17() throws IOException {
    List<String> runtime = froms().get(froms().size() - 1).words();
    assertTrue(runtime.get(0).matches("eclipse-temurin:17\\..*-jre.*"), "JRE 17: " + runtime);
    assertTrue(runtime.get(0).matches(PINNED), "pinned: " + runtime.get(0));
  }

  @Test
  void imageRunsAsANumericNonRootUser() throws IOException {
    assertNotEquals(0, Dockerfile.read().uid(), "USER is not root");
  }

  @Test
  void runtimeStageTakesTheJarsFromTheBuildStage() throws IOException {
    Dockerfile file = Dockerfile.read();
    String home = env(file).getOrDefault("RAFTLOG_HOME", PodConfigTest.IMAGE_HOME);
    assertEquals(PodConfigTest.IMAGE_HOME, home, "the entrypoint's default RAFTLOG_HOME");
    for (String jar : List.of("server/target/raftlog-server.jar", "cli/target/raftlog-cli.jar")) {
      String name = Path.of(jar).getFileName().toString();
      assertEquals(home + "/" + name, file.copyDestination(jar), jar + " copied to " + home);
      Instruction copy =
          file.finalStage().stream()
              .filter(i -> i.keyword().equals("COPY") && i.args().contains(jar))
              .findFirst()
              .orElseThrow();
      assertTrue(copy.words().contains("--from=build"), jar + " comes from the build stage");
    }
  }

  @Test
  void entrypointIsTheScriptThatDerivesThePodsConfig() throws IOException {
    Dockerfile file = Dockerfile.read();
    String script = file.copyDestination("deploy/docker/entrypoint.sh");
    assertEquals(
        "[\"" + script + "\"]", file.all("ENTRYPOINT").get(0).args().replace(" ", ""), "exec form");
    assertTrue(Files.isExecutable(Dockerfile.ROOT.resolve("deploy/docker/entrypoint.sh")));
    assertTrue(
        env(file).getOrDefault("PATH", "").startsWith(Path.of(script).getParent() + ":"),
        "the image's `raftlog` tool is on PATH for kubectl exec");
  }

  @Test
  void buildContextLeavesOutGitAndBuildOutput() throws IOException {
    List<String> ignored =
        Files.readAllLines(Dockerfile.ROOT.resolve(".dockerignore")).stream()
            .map(String::strip)
            .toList();
    assertTrue(ignored.contains(".git"), ".dockerignore has .git");
    assertTrue(ignored.contains("**/target"), ".dockerignore has **/target");
  }

  /** The final stage's ENV settings (the KEY=value form). */
  private static Map<String, String> env(Dockerfile file) {
    Map<String, String> env = new HashMap<>();
    for (Instruction i : file.finalStage()) {
      if (i.keyword().equals("ENV")) {
        for (String w : i.words()) {
          int eq = w.indexOf('=');
          if (eq > 0) {
            env.put(w.substring(0, eq), w.substring(eq + 1));
          }
        }
      }
    }
    return env;
  }
}
