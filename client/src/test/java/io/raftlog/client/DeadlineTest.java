package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the cluster cannot answer, the caller learns it at the deadline, with the history. */
class DeadlineTest {
  @TempDir Path dir;

  @Test
  void aProduceWithoutQuorumFailsAtTheDeadlineSayingWhatWasTried() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(dir, 3, RaftlogServer::start)) {
      String leader = cluster.awaitLeader();
      List<String> all = cluster.ids().stream().map(cluster::clientAddress).toList();
      cluster.ids().stream().filter(id -> !id.equals(leader)).forEach(cluster::stopNode);

      try (RaftlogClient client =
          RaftlogClient.builder()
              .servers(all)
              .deadline(Duration.ofSeconds(2))
              .attemptTimeout(Duration.ofMillis(500))
              .build()) {
        long start = System.nanoTime();
        RaftlogException e =
            assertThrows(
                RaftlogException.class,
                () ->
                    client.produce(
                        List.of(
                            Record.newBuilder().setValue(ByteString.copyFromUtf8("x")).build())));
        long ms = (System.nanoTime() - start) / 1_000_000;

        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
        assertTrue(ms >= 1_900 && ms < 4_000, "failed after " + ms + " ms");
        String m = e.getMessage();
        assertTrue(m.startsWith("produce of a batch of 1 record to stream default (shard "), m);
        assertTrue(m.contains(") gave up after "), m);
        assertTrue(m.contains("(deadline 2 s)"), m);
        assertTrue(m.contains(cluster.clientAddress(leader)), m);
        assertTrue(m.contains("last error: "), m);
      }
    }
  }
}
