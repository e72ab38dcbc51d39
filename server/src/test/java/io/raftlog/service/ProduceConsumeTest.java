package io.raftlog.service;

import static io.raftlog.testkit.Records.batch;
import static io.raftlog.testkit.Records.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.Role;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.wire.CallHeaders;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The happy paths of the API against a real three-node cluster that no test disturbs. */
class ProduceConsumeTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void start() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void produceOnTheLeaderAndThroughAFollowerAndReadTheSameBytesElsewhere() {
    String leader = cluster.awaitLeader();
    String follower = cluster.aFollower();
    ProduceResponse viaLeader =
        cluster.blocking(leader).produce(batch("from-leader-1", "from-leader-2"));
    ProduceResponse viaFollower = cluster.blocking(follower).produce(batch("from-follower"));
    assertEquals(2, viaLeader.getRecordCount());
    assertEquals(viaLeader.getBaseOffset() + 2, viaFollower.getBaseOffset());

    for (String id : cluster.ids()) {
      ConsumeResponse r =
          cluster
              .blocking(id)
              .consume(
                  ConsumeRequest.newBuilder()
                      .setOffset(viaLeader.getBaseOffset())
                      .setMaxRecords(3)
                      .build());
      assertEquals(
          List.of("from-leader-1", "from-leader-2", "from-follower"),
          r.getRecordsList().stream().map(x -> x.getValue().toStringUtf8()).toList(),
          "node " + id);
      assertTrue(r.getNextOffset() >= viaFollower.getBaseOffset() + 1);
    }
  }

  @Test
  void everyResponseNamesTheLeader() {
    String leader = cluster.awaitLeader();
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    cluster
        .blocking(cluster.aFollower())
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
        .produce(batch("header-check"));
    assertEquals(cluster.clientAddress(leader), headers.get().get(CallHeaders.LEADER));
  }

  @Test
  void aLinearizableReadOnAFollowerSeesAWriteJustAcknowledged() {
    String follower = cluster.aFollower();
    for (int i = 0; i < 20; i++) {
      ProduceResponse w = cluster.blocking(cluster.awaitLeader()).produce(batch("lin-" + i));
      ConsumeResponse r =
          cluster
              .blocking(follower)
              .consume(
                  ConsumeRequest.newBuilder()
                      .setOffset(w.getBaseOffset())
                      .setMaxRecords(1)
                      .build());
      assertEquals(1, r.getRecordsCount(), "follower missed offset " + w.getBaseOffset());
      assertEquals("lin-" + i, r.getRecords(0).getValue().toStringUtf8());
    }
  }

  @Test
  void readingAtTheNextOffsetReturnsNoRecords() {
    long next = cluster.blocking(cluster.awaitLeader()).produce(batch("end")).getBaseOffset() + 1;
    ConsumeResponse r =
        cluster
            .blocking(cluster.awaitLeader())
            .consume(ConsumeRequest.newBuilder().setOffset(next).build());
    assertEquals(0, r.getRecordsCount());
    assertEquals(next, r.getNextOffset());
  }

  @Test
  void aStreamReceivesRecordsProducedAfterItSubscribed() throws Exception {
    String follower = cluster.aFollower();
    long start = cluster.blocking(follower).produce(batch("before")).getBaseOffset() + 1;
    BlockingQueue<Record> received = new LinkedBlockingQueue<>();
    CountDownLatch done = new CountDownLatch(1);
    var call = io.grpc.Context.current().withCancellation();
    call.run(
        () ->
            cluster
                .async(follower)
                .consumeStream(
                    ConsumeRequest.newBuilder().setOffset(start).build(),
                    new StreamObserver<>() {
                      @Override
                      public void onNext(ConsumeResponse r) {
                        received.addAll(r.getRecordsList());
                      }

                      @Override
                      public void onError(Throwable t) {
                        done.countDown();
                      }

                      @Override
                      public void onCompleted() {
                        done.countDown();
                      }
                    }));
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      sent.add("tail-" + i);
      cluster.blocking(cluster.awaitLeader()).produce(batch("tail-" + i));
    }
    List<String> got = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      Record r = received.poll(10, TimeUnit.SECONDS);
      if (r == null) {
        break;
      }
      assertEquals(start + i, r.getOffset());
      got.add(r.getValue().toStringUtf8());
    }
    assertEquals(sent, got);
    call.cancel(null);
    assertTrue(done.await(10, TimeUnit.SECONDS), "the stream ends when the client cancels");
  }

  @Test
  void produceStreamAnswersEveryBatchInOrder() throws Exception {
    BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    StreamObserver<ProduceRequest> requests =
        cluster
            .async(cluster.aFollower())
            .produceStream(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ProduceResponse r) {
                    answers.add(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answers.add(t);
                  }

                  @Override
                  public void onCompleted() {
                    answers.add("completed");
                  }
                });
    int batches = 200;
    for (int i = 0; i < batches; i++) {
      requests.onNext(batch("p-" + i + "-a", "p-" + i + "-b"));
    }
    requests.onCompleted();
    long expectedBase = -1;
    for (int i = 0; i < batches; i++) {
      Object a = answers.poll(20, TimeUnit.SECONDS);
      ProduceResponse r = (ProduceResponse) a;
      if (expectedBase >= 0) {
        assertTrue(r.getBaseOffset() >= expectedBase, "responses in request order");
      }
      expectedBase = r.getBaseOffset() + 2;
      ConsumeResponse check =
          cluster
              .blocking(cluster.awaitLeader())
              .consume(
                  ConsumeRequest.newBuilder()
                      .setOffset(r.getBaseOffset())
                      .setMaxRecords(1)
                      .build());
      assertEquals("p-" + i + "-a", check.getRecords(0).getValue().toStringUtf8());
    }
    assertEquals("completed", answers.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void getClusterShowsEveryShardWithItsLeaderTheMetaGroupAndTheSlotMap() {
    java.util.Map<Integer, String> leaders = cluster.awaitShardLeaders();
    int shard = cluster.node(cluster.ids().get(0)).shardOf("default");
    cluster.blocking(leaders.get(shard)).produce(batch("cluster"));
    GetClusterResponse view =
        Await.value(
            Duration.ofSeconds(10),
            "the leader's view of shard " + shard + " to show the write applied",
            () -> {
              GetClusterResponse v =
                  cluster
                      .blocking(cluster.aFollower())
                      .getCluster(GetClusterRequest.getDefaultInstance());
              return v.getShards(shard).getAppliedIndex() > 1 ? v : null;
            });
    assertEquals(cluster.ids(), view.getNodesList().stream().map(NodeInfo::getId).toList());
    assertEquals(6, view.getShardsCount(), "cluster.shards defaults to 6");
    for (var s : view.getShardsList()) {
      assertEquals(leaders.get(s.getId()), s.getLeaderId(), "shard " + s.getId());
      assertEquals(3, s.getReplicasCount());
      assertTrue(s.getTerm() > 0 && s.getCommitIndex() >= s.getAppliedIndex(), s.toString());
      long leading =
          view.getNodesList().stream()
              .flatMap(n -> n.getReplicasList().stream())
              .filter(r -> r.getShard() == s.getId() && r.getRole() == Role.LEADER)
              .count();
      assertEquals(1, leading, "one leader of shard " + s.getId());
    }
    assertTrue(cluster.ids().contains(view.getLeaderId()), "the meta group has a leader");
    assertEquals(view.getLeaderId(), view.getMeta().getLeaderId());
    assertEquals(3, view.getMeta().getReplicasCount());
    assertEquals(1, view.getNodesList().stream().filter(n -> n.getRole() == Role.LEADER).count());
    for (NodeInfo n : view.getNodesList()) {
      assertEquals(cluster.clientAddress(n.getId()), n.getClientAddress());
      assertEquals(6, n.getReplicasCount(), "every node holds every shard");
    }
    assertEquals(4096, view.getSlotCount());
    int nextSlot = 0;
    for (var r : view.getSlotsList()) {
      assertEquals(nextSlot, r.getFirstSlot());
      nextSlot = r.getLastSlot() + 1;
    }
    assertEquals(4096, nextSlot, "the slot ranges cover every slot once");
  }

  @Test
  void everyNodeIsServingWhileALeaderIsKnown() {
    for (String id : cluster.ids()) {
      HealthCheckResponse h =
          HealthGrpc.newBlockingStub(cluster.channel(id))
              .check(HealthCheckRequest.newBuilder().setService("raftlog.v1.Log").build());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, h.getStatus(), "node " + id);
    }
  }

  @Test
  void localReadsOnEveryReplicaConverge() {
    cluster.blocking(cluster.awaitLeader()).produce(batch("converge"));
    List<String> onLeader =
        readAll(cluster.blocking(cluster.awaitLeader()), Consistency.LINEARIZABLE);
    for (String id : cluster.ids()) {
      Await.until(
          Duration.ofSeconds(10),
          "node " + id + " to hold the leader's log",
          () -> readAll(cluster.blocking(id), Consistency.LOCAL).size() >= onLeader.size());
      assertEquals(
          onLeader,
          readAll(cluster.blocking(id), Consistency.LOCAL).subList(0, onLeader.size()),
          "node " + id);
    }
  }
}
