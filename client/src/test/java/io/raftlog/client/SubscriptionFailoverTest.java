package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tail that outlives the node serving it: it resumes elsewhere with no gap, no duplicate. */
class SubscriptionFailoverTest {
  @TempDir Path dir;

  @Test
  void aSubscriptionOnTheLeaderSpansItsStopWithNoGapAndNoDuplicate() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(dir, 3, RaftlogServer::start)) {
      String leader = cluster.awaitLeader();
      // Bootstrapped with the leader alone, so the stream is served by the node that stops.
      try (RaftlogClient reader =
              RaftlogClient.builder().servers(cluster.clientAddress(leader)).build();
          RaftlogClient writer =
              RaftlogClient.builder()
                  .servers(cluster.ids().stream().map(cluster::clientAddress).toList())
                  .build();
          Subscription tail = reader.subscribe(0)) {
        writer.produce(values("before-", 100));
        List<String> seen = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        readUntil(tail, 100, seen, offsets);

        cluster.stopNode(leader);
        writer.produce(values("after-", 100));
        readUntil(tail, 200, seen, offsets);

        List<String> expected = new ArrayList<>();
        values("before-", 100).forEach(r -> expected.add(r.getValue().toStringUtf8()));
        values("after-", 100).forEach(r -> expected.add(r.getValue().toStringUtf8()));
        assertEquals(expected, seen);
        for (int i = 0; i < offsets.size(); i++) {
          assertEquals(i, offsets.get(i));
        }
        assertEquals(200, tail.position());
        assertEquals(List.of(), tail.poll(Duration.ofMillis(300)), "nothing after the end");
      }
    }
  }

  private static void readUntil(
      Subscription tail, int count, List<String> seen, List<Long> offsets) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (seen.size() < count && System.nanoTime() < deadline) {
      for (Record r : tail.poll(Duration.ofMillis(500))) {
        seen.add(r.getValue().toStringUtf8());
        offsets.add(r.getOffset());
      }
    }
    assertEquals(count, seen.size(), "records seen by the subscription");
  }

  static List<Record> values(String prefix, int n) {
    List<Record> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Record.newBuilder().setValue(ByteString.copyFromUtf8(prefix + i)).build());
    }
    return out;
  }
}
