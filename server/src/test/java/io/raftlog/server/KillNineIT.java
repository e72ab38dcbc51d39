package io.raftlog.server;

import static io.raftlog.testkit.Records.idempotent;
import static io.raftlog.testkit.Records.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real node processes killed with SIGKILL: first the leader under writes, then all three at once.
 * Every acknowledged record must survive, once, in order, on every replica.
 */
class KillNineIT {
  @TempDir Path dir;

  /** Retries one idempotent batch on every node until some node acknowledges it. */
  private static ProduceResponse produceUntilAcknowledged(
      ProcessCluster cluster, long producer, long seq, String value) {
    return Await.value(
        Duration.ofSeconds(30),
        "batch " + seq + " to be acknowledged",
        () -> {
          for (String id : cluster.ids()) {
            try {
              return cluster.blocking(id).produce(idempotent(producer, seq, value));
            } catch (StatusRuntimeException e) {
              Status.Code c = e.getStatus().getCode();
              if (c != Status.Code.UNAVAILABLE && c != Status.Code.DEADLINE_EXCEEDED) {
                throw new AssertionError("not retryable: " + e.getStatus(), e);
              }
            }
          }
          return null;
        });
  }

  @Test
  void acknowledgedRecordsSurviveKillNineOfTheLeaderAndOfAllNodes() throws Exception {
    try (ProcessCluster cluster = NodeProcesses.threeNodes(dir)) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(30));
      long producer = 9;
      List<String> acknowledged = new ArrayList<>();
      ExecutorService killer = Executors.newSingleThreadExecutor();
      Future<?> kill = null;
      for (int seq = 0; seq < 300; seq++) {
        if (seq == 150) { // SIGKILL the leader while the next batches are in flight
          kill =
              killer.submit(
                  () -> {
                    cluster.kill9(leader);
                    return null;
                  });
        }
        produceUntilAcknowledged(cluster, producer, seq, "v" + seq);
        acknowledged.add("v" + seq);
      }
      kill.get();
      killer.shutdown();
      cluster.start(leader);

      for (String id : cluster.ids()) {
        cluster.kill9(id);
      }
      cluster.startAll();
      cluster.awaitLeader(Duration.ofSeconds(30));
      for (String id : cluster.ids()) {
        try {
          Await.until(
              Duration.ofSeconds(30),
              "node " + id + " to hold every acknowledged record",
              () -> readAll(cluster.blocking(id), Consistency.LOCAL).size() >= acknowledged.size());
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\n" + cluster.logTail(id, 30), e);
        }
        assertEquals(acknowledged, readAll(cluster.blocking(id), Consistency.LOCAL), "node " + id);
      }
    }
  }
}
