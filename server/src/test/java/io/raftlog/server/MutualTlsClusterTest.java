package io.raftlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.testkit.ClusterTls;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.Records;
import io.raftlog.testkit.TestPki;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-node cluster whose gRPC port requires mutual TLS ({@code tls.api.mode=mtls}), with
 * certificates made by the test's own CA: a client showing a certificate of that CA produces and
 * consumes through every node, and what a node cannot answer itself (a write to a follower, a
 * linearizable read) it forwards to the leader over node-to-node mutual TLS.
 */
class MutualTlsClusterTest {
  @TempDir static Path dir;

  private static TestPki pki;
  private static ClusterTls tls;
  private static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void startCluster() {
    pki = TestPki.create(dir.resolve("pki"));
    tls = ClusterTls.of(pki, "mtls");
    cluster = InProcessCluster.start(dir.resolve("nodes"), 3, Map.of(), tls, RaftlogServer::start);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aClientWithACertificateOfTheClustersCaProducesAndConsumesThroughEveryNode()
      throws InterruptedException {
    cluster.awaitShardLeaders();
    ChannelCredentials alice = tls.credentials(pki.client("alice"));
    List<String> written = new ArrayList<>();
    for (String id : cluster.ids()) {
      ManagedChannel channel = channel(id, alice);
      try {
        LogGrpc.LogBlockingStub stub =
            LogGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        stub.produce(Records.batch("through-" + id).toBuilder().setStream("mtls").build());
        written.add("through-" + id);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    for (String id : cluster.ids()) {
      ManagedChannel channel = channel(id, alice);
      try {
        LogGrpc.LogBlockingStub stub =
            LogGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertEquals(written, readAll(stub, "mtls"), "read through node " + id);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static ManagedChannel channel(String id, ChannelCredentials credentials) {
    return NettyChannelBuilder.forTarget(cluster.clientAddress(id), credentials).build();
  }

  private static List<String> readAll(LogGrpc.LogBlockingStub stub, String stream) {
    List<String> out = new ArrayList<>();
    for (var r :
        stub.consume(
                io.raftlog.api.v1.ConsumeRequest.newBuilder()
                    .setStream(stream)
                    .setMaxRecords(100)
                    .setConsistency(Consistency.LINEARIZABLE)
                    .build())
            .getRecordsList()) {
      out.add(r.getValue().toStringUtf8());
    }
    return out;
  }
}
