package io.raftlog.replication;

import static io.raftlog.testkit.Records.batch;
import static io.raftlog.testkit.Records.idempotent;
import static io.raftlog.testkit.Records.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Role;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leader loss: a new leader takes over with every acknowledged record, and idempotence holds. */
class FailoverTest {
  @TempDir Path dir;

  @Test
  void whenTheLeaderStopsANewOneAcceptsWritesAndNoAcknowledgedRecordIsLost() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(dir, 3, RaftlogServer::start)) {
      String oldLeader = cluster.awaitLeader();
      List<String> acknowledged = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        cluster.blocking(oldLeader).produce(batch("before-" + i));
        acknowledged.add("before-" + i);
      }
      cluster.stopNode(oldLeader);

      String newLeader = cluster.awaitLeader();
      assertNotEquals(oldLeader, newLeader);
      for (int i = 0; i < 50; i++) {
        cluster.blocking(newLeader).produce(batch("after-" + i));
        acknowledged.add("after-" + i);
      }
      assertEquals(acknowledged, readAll(cluster.blocking(newLeader), Consistency.LINEARIZABLE));

      // The old leader comes back as a follower and catches up.
      cluster.startNode(oldLeader);
      Await.until(
          Duration.ofSeconds(20),
          "the old leader to catch up",
          () -> readAll(cluster.blocking(oldLeader), Consistency.LOCAL).equals(acknowledged));
    }
  }

  @Test
  void aRetryOnTheNewLeaderOfABatchTheOldOneCommittedIsNotAppendedTwice() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(dir, 3, RaftlogServer::start)) {
      long producer = 77;
      String oldLeader = cluster.awaitLeader();
      ProduceResponse first =
          cluster.blocking(oldLeader).produce(idempotent(producer, 0, "once-a", "once-b"));
      cluster.stopNode(oldLeader);

      // The producer never saw `first` (say the answer was lost) and retries the same batch.
      String newLeader = cluster.awaitLeader();
      ProduceResponse retry =
          cluster.blocking(newLeader).produce(idempotent(producer, 0, "once-a", "once-b"));
      assertTrue(retry.getDuplicate());
      assertEquals(first.getBaseOffset(), retry.getBaseOffset());
      assertEquals(2, retry.getRecordCount());
      assertEquals(
          List.of("once-a", "once-b"),
          readAll(cluster.blocking(newLeader), Consistency.LINEARIZABLE));

      ProduceResponse next = cluster.blocking(newLeader).produce(idempotent(producer, 1, "then-c"));
      assertEquals(2, next.getBaseOffset());
    }
  }

  @Test
  void withoutAMajorityWritesFailFastWithUnavailableAndHealthSaysNotServing() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(dir, 3, RaftlogServer::start)) {
      String survivor = cluster.aFollower();
      for (String id : cluster.ids()) {
        if (!id.equals(survivor)) {
          cluster.stopNode(id);
        }
      }
      Await.until(
          Duration.ofSeconds(20),
          "the survivor to notice it has no leader",
          () ->
              cluster
                      .node(survivor)
                      .leader(cluster.node(survivor).shardOf(io.raftlog.wire.StreamNames.DEFAULT))
                  == null);
      long start = System.nanoTime();
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  cluster
                      .blocking(survivor)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .produce(batch("nobody-leads")));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("no leader"), e.getMessage());
      assertTrue(
          System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2),
          "fails fast, not at the deadline");

      assertEquals(
          ServingStatus.NOT_SERVING,
          HealthGrpc.newBlockingStub(cluster.channel(survivor))
              .check(HealthCheckRequest.getDefaultInstance())
              .getStatus());
      List<NodeInfo> view =
          cluster
              .blocking(survivor)
              .getCluster(GetClusterRequest.getDefaultInstance())
              .getNodesList();
      assertEquals(
          2, view.stream().filter(n -> n.getRole() == Role.UNREACHABLE).count(), view.toString());
    }
  }
}
