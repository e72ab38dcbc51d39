package io.raftlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.config.ConfigKeys;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linearizable reads on the nodes that stay, while the shard's leader hands its lead over and
 * stops: they wait for the new leader instead of failing. The quick start's first read once met the
 * balancer's first transfer on a fresh cluster and answered UNAVAILABLE "cannot confirm the leader
 * for a linearizable read (No leader at term 2.)"; CI then met the next window, a new leader that
 * had not yet committed an entry of its term ("ReadIndex request rejected because leader has not
 * committed any log entry at its term").
 */
class ReadsDuringHandOffTest {
  private static final String STREAM = "s";

  @TempDir Path dir;

  @Test
  void linearizableReadsOnTheOtherNodesDoNotFailWhileTheLeaderHandsOver() throws Exception {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(
            dir, 3, Map.of(ConfigKeys.CLUSTER_SHARDS.name(), "1"), RaftlogServer::start)) {
      for (int round = 0; round < 3; round++) {
        String leader = cluster.awaitLeader(STREAM);
        cluster
            .blocking(leader)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .produce(
                ProduceRequest.newBuilder()
                    .setStream(STREAM)
                    .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8("r" + round)))
                    .build());
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        for (String id : cluster.ids()) {
          if (id.equals(leader)) {
            continue;
          }
          Thread t =
              new Thread(
                  () -> {
                    while (reading.get()) {
                      try {
                        cluster
                            .blocking(id)
                            .withDeadlineAfter(10, TimeUnit.SECONDS)
                            .consume(ConsumeRequest.newBuilder().setStream(STREAM).build());
                        reads.incrementAndGet();
                      } catch (StatusRuntimeException e) {
                        failures.add("node " + id + ": " + e.getStatus());
                      }
                    }
                  },
                  "reader-" + id);
          t.start();
          readers.add(t);
        }
        Thread.sleep(200);
        assertEquals(List.of(), cluster.node(leader).stop(), "the leader kept a group");
        cluster.stopNode(leader);
        Thread.sleep(1_000);
        reading.set(false);
        for (Thread t : readers) {
          t.join(15_000);
        }
        assertEquals(List.of(), List.copyOf(failures), "reads that failed in round " + round);
        assertTrue(reads.get() > 0, "no read went through");
        cluster.startNode(leader);
      }
    }
  }
}
