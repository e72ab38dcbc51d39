package io.raftlog.logging;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logging for a command-line tool whose standard output carries its results: warnings and errors
 * only, on standard error ({@code RAFTLOG_LOG_LEVEL=debug} shows what the client does), and none of
 * gRPC's and Netty's reports of dropped connections, which the client handles itself.
 */
public final class ConsoleLogging {
  /** Kept so that the level set on it sticks: java.util.logging holds loggers weakly. */
  private static final Logger GRPC_JUL_LOGGER = Logger.getLogger("io.grpc");

  private ConsoleLogging() {}

  /**
   * Call first thing in {@code main}, before anything creates a logger. The client logs through
   * SLF4J, which logback serves from {@code raftlog-console-logback.xml} (unless {@code
   * -Dlogback.configurationFile} names another); gRPC also logs through java.util.logging, whose
   * default handler writes to standard error, so that is turned off.
   */
  public static void quiet() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "raftlog-console-logback.xml");
    }
    GRPC_JUL_LOGGER.setLevel(Level.OFF);
  }
}
