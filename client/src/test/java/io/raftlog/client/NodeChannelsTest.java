package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The background GetCluster of {@link NodeChannels} against two real gRPC servers on loopback, each
 * of which never answers the first GetCluster it gets (a frozen node, as under SIGSTOP) and answers
 * every later one.
 */
class NodeChannelsTest {
  private final List<Server> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(Server::shutdownNow);
  }

  /**
   * A refresh waited for the one before it to end, and one sent to a frozen node ended only at its
   * 10 s deadline: a paused leader's client learned of no new leader meanwhile.
   */
  @Test
  void aRefreshSentToAFrozenNodeDoesNotHoldUpTheNext() throws Exception {
    List<String> nodes = List.of(start(), start());
    try (NodeChannels channels =
        new NodeChannels(ClientOptions.defaults().with(ClientSettings.SERVERS, nodes))) {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (channels.view().leaderOf(0) == null && System.nanoTime() < end) {
        channels.refresh();
        Thread.sleep(150);
      }
      assertNotNull(channels.view().leaderOf(0), "a later refresh went to a node that answers");
    }
  }

  /** A server whose first GetCluster hangs and whose later ones name shard 0's leader. */
  private String start() throws IOException {
    AtomicInteger calls = new AtomicInteger();
    Server s =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new LogGrpc.LogImplBase() {
                  @Override
                  public void getCluster(
                      GetClusterRequest request, StreamObserver<GetClusterResponse> response) {
                    if (calls.getAndIncrement() == 0) {
                      return; // frozen: no answer, no end
                    }
                    response.onNext(ClusterViewTest.cluster("1", "2"));
                    response.onCompleted();
                  }
                })
            .build()
            .start();
    servers.add(s);
    return "127.0.0.1:" + s.getPort();
  }
}
