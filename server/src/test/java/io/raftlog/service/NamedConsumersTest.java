package io.raftlog.service;

import static io.raftlog.testkit.Records.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumerInfo;
import io.raftlog.api.v1.DeleteConsumerRequest;
import io.raftlog.api.v1.GetConsumerRequest;
import io.raftlog.api.v1.ListConsumersRequest;
import io.raftlog.api.v1.ListConsumersResponse;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named consumers through the API on a real three-node cluster: commits from every node (forwarded
 * to the shard's leader), their lag and time, paged listing, deletes, and the statuses of what is
 * not there.
 */
class NamedConsumersTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void start() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
    cluster.awaitShardLeaders();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void produce(String stream, int n) {
    for (int i = 0; i < n; i++) {
      cluster
          .blocking(cluster.awaitLeader(stream))
          .produce(batch("r" + i).toBuilder().setStream(stream).build());
    }
  }

  private static ConsumerInfo commit(String id, String stream, String consumer, long offset) {
    return cluster
        .blocking(id)
        .commitOffset(
            CommitOffsetRequest.newBuilder()
                .setStream(stream)
                .setConsumer(consumer)
                .setOffset(offset)
                .build());
  }

  private static ConsumerInfo get(String id, String stream, String consumer, Consistency c) {
    return cluster
        .blocking(id)
        .getConsumer(
            GetConsumerRequest.newBuilder()
                .setStream(stream)
                .setConsumer(consumer)
                .setConsistency(c)
                .build());
  }

  @Test
  void aCommitFromAnyNodeIsStoredWithItsLagAndReadOnEveryNode() {
    String stream = "consumers-commit";
    produce(stream, 5);
    long before = System.currentTimeMillis();
    for (String id : cluster.ids()) {
      ConsumerInfo c = commit(id, stream, "reader-" + id, Long.parseLong(id));
      assertEquals(stream, c.getStream());
      assertEquals("reader-" + id, c.getConsumer());
      assertEquals(Long.parseLong(id), c.getCommittedOffset());
      assertEquals(5 - Long.parseLong(id), c.getLag());
      assertEquals(5, c.getNextOffset());
      assertEquals(0, c.getFirstOffset());
      assertTrue(c.getLastCommitMs() >= before - 5_000, "the leader's clock: " + c);
    }
    // The same consumer moves on from another node; the stream grows: the lag follows.
    commit(cluster.ids().get(2), stream, "reader-1", 4);
    produce(stream, 2);
    for (String id : cluster.ids()) {
      ConsumerInfo c = get(id, stream, "reader-1", Consistency.LINEARIZABLE);
      assertEquals(4, c.getCommittedOffset(), "node " + id);
      assertEquals(3, c.getLag(), "node " + id);
      assertEquals(c, get(id, stream, "reader-1", Consistency.LOCAL));
    }
  }

  @Test
  void consumersAreListedInNameOrderAPageAtATime() {
    String stream = "consumers-list";
    produce(stream, 3);
    List<String> names = List.of("a", "b.1", "b/2", "c:x", "d_", "e-");
    for (int i = names.size() - 1; i >= 0; i--) {
      commit(cluster.ids().get(i % 3), stream, names.get(i), i % 4);
    }
    List<String> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      ListConsumersResponse page =
          cluster
              .blocking(cluster.aFollower())
              .listConsumers(
                  ListConsumersRequest.newBuilder()
                      .setStream(stream)
                      .setPageSize(4)
                      .setPageToken(token)
                      .setConsistency(Consistency.LINEARIZABLE)
                      .build());
      page.getConsumersList().forEach(c -> seen.add(c.getConsumer()));
      page.getConsumersList().forEach(c -> assertEquals(3 - c.getCommittedOffset(), c.getLag()));
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());
    assertEquals(names, seen);
    assertEquals(2, pages);
  }

  @Test
  void aDeletedConsumerIsGoneAndWhatIsNotThereIsNotFound() {
    String stream = "consumers-delete";
    produce(stream, 2);
    String leader = cluster.awaitLeader(stream);
    String follower = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().get();
    commit(leader, stream, "gone", 2);
    long committed =
        cluster
            .blocking(follower)
            .deleteConsumer(
                DeleteConsumerRequest.newBuilder().setStream(stream).setConsumer("gone").build())
            .getCommittedOffset();
    assertEquals(2, committed);
    for (String id : cluster.ids()) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> get(id, stream, "gone", Consistency.LINEARIZABLE));
      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
      assertTrue(e.getMessage().contains("has no consumer 'gone'"), e.getMessage());
    }
    var again =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                cluster
                    .blocking(follower)
                    .deleteConsumer(
                        DeleteConsumerRequest.newBuilder()
                            .setStream(stream)
                            .setConsumer("gone")
                            .build()));
    assertEquals(Status.Code.NOT_FOUND, again.getStatus().getCode());
    var noStream =
        assertThrows(
            StatusRuntimeException.class,
            () -> get(follower, "consumers-none", "x", Consistency.LINEARIZABLE));
    assertEquals(Status.Code.NOT_FOUND, noStream.getStatus().getCode());
    assertTrue(noStream.getMessage().contains("stream 'consumers-none'"), noStream.getMessage());
  }
}
