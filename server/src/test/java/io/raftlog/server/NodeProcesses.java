package io.raftlog.server;

import io.raftlog.config.ConfigKeys;
import io.raftlog.testkit.ProcessCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Node processes for the *IT tests, from the jar that {@code mvn package} built. */
final class NodeProcesses {
  static final Path JAR = Path.of("target", "raftlog-server.jar").toAbsolutePath();

  private NodeProcesses() {}

  /**
   * Three nodes laid out under {@code dir} (none started), taking snapshots often enough that a
   * restarted node also exercises snapshot load.
   */
  static ProcessCluster threeNodes(Path dir) throws IOException {
    return new ProcessCluster(dir, 3, JAR, Map.of(ConfigKeys.SNAPSHOT_ENTRIES.name(), "200"));
  }
}
