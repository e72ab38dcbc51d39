package io.raftlog.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code raftlog --version}: the client module's Maven version, from the jar's pom.properties. */
public final class Version implements IVersionProvider {
  private static final String POM_PROPERTIES =
      "/META-INF/maven/io.raftlog/raftlog-client/pom.properties";

  @Override
  public String[] getVersion() {
    return new String[] {
      "raftlog " + clientVersion(),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
    };
  }

  static String clientVersion() {
    try (InputStream in = Version.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.isBlank()) {
          return v;
        }
      }
    } catch (IOException e) {
      // fall through: a development build
    }
    return "(development build)";
  }
}
