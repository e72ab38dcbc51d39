package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscription whose node stops while records it has not read are truncated away resumes below
 * the stream's first offset: it follows its reset policy at once. (An OUT_OF_RANGE of a resumed
 * subscription used to mean only "this node is behind", retried until the deadline.)
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ResumeBelowFirstOffsetTest {
  @TempDir Path dir;

  @Test
  void aSubscriptionResumedBelowTheFirstOffsetFollowsItsPolicyInsteadOfWaitingOutTheDeadline() {
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(dir, 3, RaftlogServer::start)) {
      String stream = "overtaken";
      try (RaftlogClient writer =
          RaftlogClient.builder()
              .servers(cluster.ids().stream().map(cluster::clientAddress).toList())
              .build()) {
        writer.produce(stream, ConsumerSubscriptionTest.values("v", 0, 20));
        String leader = cluster.awaitLeader(stream);
        try (RaftlogClient reader =
                RaftlogClient.builder().servers(cluster.clientAddress(leader)).build();
            Subscription fail = reader.subscribe(stream, SubscribeOptions.fromOffset(0));
            Subscription earliest =
                reader.subscribe(
                    stream,
                    SubscribeOptions.fromOffset(0).withReset(OffsetReset.OFFSET_RESET_EARLIEST))) {
          ConsumerSubscriptionTest.take(fail, 20);
          ConsumerSubscriptionTest.take(earliest, 20);

          cluster.stopNode(leader); // both subscriptions were served by the stream's leader
          writer.produce(stream, ConsumerSubscriptionTest.values("v", 20, 10));
          assertEquals(25, writer.truncate(stream, 25).getFirstOffset());

          long start = System.nanoTime();
          RaftlogException e =
              assertThrows(
                  RaftlogException.class,
                  () -> {
                    while (true) {
                      fail.poll(Duration.ofMillis(500));
                    }
                  });
          assertEquals(Status.Code.OUT_OF_RANGE, e.code(), e::getMessage);
          assertTrue(e.getMessage().contains("removed"), e::getMessage);
          assertTrue(
              System.nanoTime() - start < Duration.ofSeconds(15).toNanos(),
              "at once, not after the 30 s deadline");

          assertEquals(
              ConsumerSubscriptionTest.range(25, 30),
              ConsumerSubscriptionTest.offsets(ConsumerSubscriptionTest.take(earliest, 5)));
        }
      }
    }
  }
}
