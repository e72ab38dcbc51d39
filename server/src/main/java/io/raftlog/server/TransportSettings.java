package io.raftlog.server;

import io.grpc.ServerBuilder;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the node's gRPC server treats its connections: the transport, keepalive, stale sockets. */
final class TransportSettings {
  private static final Logger LOG = LoggerFactory.getLogger(TransportSettings.class);

  private TransportSettings() {}

  /**
   * Clients ping idle tail streams every 10 s to notice a node that froze (SIGSTOP, a partition)
   * where no TCP reset ever comes; gRPC's default would reject such pings. Transports without
   * keepalive (in-process) do not offer these settings, and need none.
   */
  static void permitClientKeepAlive(ServerBuilder<?> builder) {
    try {
      builder.permitKeepAliveTime(5, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true);
    } catch (UnsupportedOperationException noKeepAlive) {
      LOG.debug("the gRPC transport has no keepalive to permit", noKeepAlive);
    }
  }

  /**
   * gRPC closes a connection that never finishes its HTTP/2 handshake only after 120 s, and pings
   * an idle one only after 2 h: a few thousand sockets opened and left (or clients that vanished
   * without a FIN, whose ConsumeStreams hold a subscription each) would live that long. The node
   * closes them after {@code net.handshake-timeout-ms}, and after {@code net.keepalive-time-ms}
   * plus as long again without an answer to its ping. Real clients answer pings in their transport,
   * so this costs them nothing.
   */
  static void closeStaleConnections(ServerBuilder<?> builder, NodeConfig config) {
    try {
      builder.handshakeTimeout(config.get(ConfigKeys.HANDSHAKE_TIMEOUT_MS), TimeUnit.MILLISECONDS);
    } catch (UnsupportedOperationException noHandshake) {
      LOG.debug("the gRPC transport has no handshake timeout", noHandshake);
    }
    try {
      builder
          .keepAliveTime(config.get(ConfigKeys.KEEPALIVE_TIME_MS), TimeUnit.MILLISECONDS)
          .keepAliveTimeout(config.get(ConfigKeys.KEEPALIVE_TIME_MS), TimeUnit.MILLISECONDS);
    } catch (UnsupportedOperationException noKeepAlive) {
      LOG.debug("the gRPC transport has no keepalive", noKeepAlive);
    }
  }
}
