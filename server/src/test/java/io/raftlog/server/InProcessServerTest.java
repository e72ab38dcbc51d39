package io.raftlog.server;

import static io.raftlog.testkit.Records.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import io.raftlog.replication.RaftState;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.FreePorts;
import io.raftlog.wire.CallHeaders;
import io.raftlog.wire.HostPort;
import io.raftlog.wire.StreamNames;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node served on a gRPC server builder handed in from outside: here, the in-process transport.
 */
class InProcessServerTest {
  @TempDir Path dir;

  @Test
  void aSingleNodeOnAnOutsideServerBuilderElectsItselfAndServesProduceAndConsume()
      throws Exception {
    HostPort client = HostPort.parse(FreePorts.loopbackAddress());
    Properties props = new Properties();
    props.setProperty(ConfigKeys.NODE_ID.name(), "1");
    props.setProperty(ConfigKeys.DATA_DIR.name(), dir.resolve("node-1").toString());
    props.setProperty(
        ConfigKeys.CLUSTER_PEERS.name(), "1@" + FreePorts.loopbackAddress() + "@" + client);
    NodeConfig config = NodeConfig.from(props);
    String name = InProcessServerBuilder.generateName();
    try (RaftlogServer node =
        RaftlogServer.builder(config).serverBuilder(InProcessServerBuilder.forName(name)).start()) {
      ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
      try {
        int shard = node.shardOf(StreamNames.DEFAULT);
        Await.until(
            Duration.ofSeconds(20),
            "the only node to lead the meta group and every shard",
            () ->
                node.leadsMeta()
                    && java.util.stream.IntStream.range(0, node.shardCount())
                        .allMatch(node::leads));
        assertEquals("1", node.leader(shard).id());
        assertEquals(RaftState.Role.LEADER, node.raftState(shard).role());

        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        LogGrpc.LogBlockingStub stub =
            LogGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
        ProduceResponse produced = stub.produce(batch("a", "b"));
        assertEquals(0, produced.getBaseOffset());
        assertEquals(2, produced.getRecordCount());
        assertEquals(client.toString(), headers.get().get(CallHeaders.LEADER));
        assertEquals(2, node.nextOffset(StreamNames.DEFAULT));

        ConsumeResponse read =
            stub.consume(
                ConsumeRequest.newBuilder()
                    .setOffset(0)
                    .setConsistency(Consistency.LINEARIZABLE)
                    .build());
        assertEquals(
            List.of("a", "b"),
            read.getRecordsList().stream().map(r -> r.getValue().toStringUtf8()).toList());

        Iterator<ConsumeResponse> tail =
            LogGrpc.newBlockingStub(channel)
                .withDeadlineAfter(Duration.ofSeconds(20))
                .consumeStream(ConsumeRequest.newBuilder().setOffset(2).build());
        stub.produce(batch("c"));
        assertEquals("c", tail.next().getRecords(0).getValue().toStringUtf8());
      } finally {
        channel.shutdownNow();
      }
      // The node serves nothing on its configured client address: Netty was never started.
      assertThrows(ConnectException.class, () -> new Socket(client.host(), client.port()).close());
      assertEquals(0, node.snapshotsInstalled());
    }
  }

  @Test
  void aDataDirectoryFromBeforeStreamsIsRefusedWithTheWayOut() throws Exception {
    Path old = dir.resolve("old-node");
    java.nio.file.Files.createDirectories(old.resolve("store"));
    Properties props = new Properties();
    props.setProperty(ConfigKeys.NODE_ID.name(), "1");
    props.setProperty(ConfigKeys.DATA_DIR.name(), old.toString());
    props.setProperty(
        ConfigKeys.CLUSTER_PEERS.name(),
        "1@" + FreePorts.loopbackAddress() + "@" + FreePorts.loopbackAddress());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> RaftlogServer.start(props));
    assertTrue(e.getMessage().contains("before streams"), e.getMessage());
    assertTrue(e.getMessage().contains("--clean"), e.getMessage());
  }

  @Test
  void aDataDirectoryWithARaftLogPerGroupIsRefusedWithTheWayOut() throws Exception {
    Path old = dir.resolve("per-group-logs");
    java.nio.file.Files.createDirectories(
        old.resolve("shards").resolve("2").resolve("raft").resolve("log"));
    Properties props = new Properties();
    props.setProperty(ConfigKeys.NODE_ID.name(), "1");
    props.setProperty(ConfigKeys.DATA_DIR.name(), old.toString());
    props.setProperty(
        ConfigKeys.CLUSTER_PEERS.name(),
        "1@" + FreePorts.loopbackAddress() + "@" + FreePorts.loopbackAddress());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> RaftlogServer.start(props));
    assertTrue(e.getMessage().contains("a Raft log per group"), e.getMessage());
    assertTrue(e.getMessage().contains("shards/2/raft/log"), e.getMessage());
    assertTrue(e.getMessage().contains("--clean"), e.getMessage());
  }
}
