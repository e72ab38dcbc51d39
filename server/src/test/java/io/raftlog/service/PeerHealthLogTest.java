package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.raftlog.config.Peer;
import io.raftlog.testkit.FreePorts;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A peer lost and seen again is one log line each, however often the node asks: the balancer asks
 * every round, and a line per probe would bury the change in a log.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerHealthLogTest {
  private static Server healthServer(int port) throws java.io.IOException {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(new HealthStatusManager().getHealthService())
        .build()
        .start();
  }

  private static void probe(PeerHealth health, Peer peer, int times) throws InterruptedException {
    for (int i = 0; i < times; i++) {
      health.test(peer);
      Thread.sleep(1_100);
    }
  }

  @Test
  void aPeerLostThenServingIsOneLineEachNotOnePerProbe() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(PeerHealth.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    int port = FreePorts.next();
    Peer peer = new Peer("3", "127.0.0.1:1", "127.0.0.1:" + port);
    PeerChannels channels = new PeerChannels(1 << 20, io.grpc.InsecureChannelCredentials.create());
    Server server = null;
    try {
      PeerHealth health = new PeerHealth(channels, "1");
      server = healthServer(port);
      // Seen serving first (a first look on a new channel may time out on a busy machine).
      for (int i = 0; i < 10 && !health.test(peer); i++) {
        Thread.sleep(1_100);
      }
      Thread.sleep(1_100);
      lines.list.clear();
      // Each probe after the kept answer expired: serving twice more, not serving three times,
      // serving three times again.
      probe(health, peer, 2);
      server.shutdownNow().awaitTermination();
      probe(health, peer, 3);
      server = healthServer(port);
      // The channel reconnects with gRPC's backoff (1 s, growing): on a loaded machine the first
      // probes after the restart may still find it down (CI saw three do). Probe until it is seen
      // serving, then twice more: still one line each way.
      for (int i = 0; i < 20 && !health.test(peer); i++) {
        Thread.sleep(1_100);
      }
      probe(health, peer, 2);
      assertEquals(
          List.of("node 1 lost node 3: unreachable or not serving", "node 1 sees node 3 serving"),
          lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    } finally {
      logger.detachAppender(lines);
      if (server != null) {
        server.shutdownNow();
      }
      channels.close();
    }
  }
}
