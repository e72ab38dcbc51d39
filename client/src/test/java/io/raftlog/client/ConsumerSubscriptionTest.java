package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscriptions by {@link SubscribeOptions} on one real three-node cluster: named consumers that
 * resume after their commits (explicit, by interval, on close), starts by time, earliest and
 * latest, and the reset policies below a truncated stream's first offset. Each test has its own
 * stream.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConsumerSubscriptionTest {
  private static final Duration POLL = Duration.ofMillis(500);

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static RaftlogClient client;

  @BeforeAll
  static void start() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
    client =
        RaftlogClient.builder()
            .servers(cluster.ids().stream().map(cluster::clientAddress).toList())
            .build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aConsumerResumesAfterWhatItCommittedWithNoGapAndNoRepeat() {
    String stream = "resume";
    client.produce(stream, values("r", 0, 50));
    List<Long> seen = new ArrayList<>();
    try (Subscription sub = client.subscribe(stream, SubscribeOptions.consumer("c"))) {
      assertEquals("c", sub.consumer());
      assertEquals(0, sub.position(), "a new consumer starts at the earliest record");
      seen.addAll(offsets(take(sub, 20)));
    } // close commits what poll handed out
    assertEquals(20, client.getConsumer(stream, "c").getCommittedOffset());
    assertEquals(30, client.getConsumer(stream, "c").getLag());
    try (Subscription sub = client.subscribe(stream, SubscribeOptions.consumer("c"))) {
      assertEquals(20, sub.position());
      seen.addAll(offsets(take(sub, 30)));
    }
    assertEquals(range(0, 50), seen);
    assertEquals(50, client.getConsumer(stream, "c").getCommittedOffset());
  }

  @Test
  void anExplicitCommitStoresWhatPollHandedOutAndNoMore() {
    String stream = "explicit";
    client.produce(stream, values("e", 0, 40));
    SubscribeOptions how = SubscribeOptions.consumer("c").withCommitInterval(Duration.ofHours(1));
    try (Subscription sub = client.subscribe(stream, how)) {
      // Up to 40 records arrive at once; poll hands out 7, the rest wait in the subscription.
      assertEquals(range(0, 7), offsets(take(sub, 7)));
      sub.commit();
      assertEquals(7, client.getConsumer(stream, "c").getCommittedOffset());
      assertEquals(range(7, 10), offsets(take(sub, 3)));
      assertEquals(
          7, client.getConsumer(stream, "c").getCommittedOffset(), "no commit before the interval");
    }
    assertEquals(10, client.getConsumer(stream, "c").getCommittedOffset());
  }

  @Test
  void aPollCommitsWhatEarlierPollsHandedOutOnceTheIntervalPassed() throws Exception {
    String stream = "interval";
    client.produce(stream, values("i", 0, 30));
    Duration interval = Duration.ofSeconds(2);
    long begin = System.nanoTime();
    try (Subscription sub =
        client.subscribe(stream, SubscribeOptions.consumer("c").withCommitInterval(interval))) {
      take(sub, 10);
      sub.poll(POLL, 5); // 15 handed out
      if (System.nanoTime() - begin < interval.toNanos()) {
        assertEquals(
            Status.Code.NOT_FOUND,
            assertThrows(RaftlogException.class, () -> client.getConsumer(stream, "c")).code(),
            "no commit within the interval");
      }
      Thread.sleep(interval.toMillis() + 100);
      sub.poll(POLL, 5); // commits the 15 handed out before it, then hands out 5 more
      assertEquals(15, client.getConsumer(stream, "c").getCommittedOffset());
    }
    assertEquals(20, client.getConsumer(stream, "c").getCommittedOffset(), "and close the rest");
  }

  @Test
  void aCommitRefusedBecauseAnotherInstanceMovedAheadIsReportedNotRetried() {
    String stream = "fenced";
    client.produce(stream, values("f", 0, 30));
    SubscribeOptions how = SubscribeOptions.consumer("c").withCommitInterval(Duration.ofHours(1));
    try (Subscription behind = client.subscribe(stream, how)) {
      try (Subscription ahead = client.subscribe(stream, how)) {
        take(ahead, 20);
      }
      take(behind, 5);
      RaftlogException refused = assertThrows(RaftlogException.class, behind::commit);
      assertEquals(Status.Code.FAILED_PRECONDITION, refused.code(), refused::getMessage);
      assertTrue(refused.getMessage().contains("consumer c of stream fenced"), refused::getMessage);
      assertSame(refused, assertThrows(RaftlogException.class, () -> behind.poll(POLL)));
    } // close does not commit again
    assertEquals(20, client.getConsumer(stream, "c").getCommittedOffset());
  }

  @Test
  void aNewConsumerStartsWhereItsOptionsSay() {
    String stream = "fresh";
    client.produce(stream, values("n", 0, 10));
    try (Subscription sub =
        client.subscribe(stream, SubscribeOptions.fromLatest().withConsumer("late"))) {
      assertEquals(10, sub.position());
      assertEquals(List.of(), sub.poll(Duration.ofMillis(200)));
      client.produce(stream, values("n", 10, 1));
      assertEquals(List.of(10L), offsets(take(sub, 1)));
    }
    assertEquals(11, client.getConsumer(stream, "late").getCommittedOffset());
  }

  @Test
  void aSubscriptionFromATimeStartsAtTheFirstRecordAtOrAfterIt() throws Exception {
    String stream = "bytime";
    client.produce(stream, values("before", 0, 20));
    Thread.sleep(50);
    Instant cut = Instant.now();
    Thread.sleep(50);
    client.produce(stream, values("after", 0, 10));
    try (Subscription sub = client.subscribe(stream, SubscribeOptions.fromTime(cut))) {
      assertEquals(20, sub.position());
      List<Record> records = take(sub, 10);
      assertEquals(range(20, 30), offsets(records));
      assertEquals("after0", records.get(0).getValue().toStringUtf8());
    }
    assertEquals(
        30,
        client.startOffset(stream, SubscribeOptions.fromTime(Instant.now().plusSeconds(60))),
        "a time past the last record is the next offset");
    assertEquals(0, client.startOffset(stream, SubscribeOptions.fromTime(Instant.EPOCH)));
  }

  @Test
  void belowTheFirstOffsetASubscriptionFollowsItsResetPolicy() {
    String stream = "reset";
    client.produce(stream, values("x", 0, 40));
    assertEquals(25, client.truncate(stream, 25).getFirstOffset());

    try (Subscription fail = client.subscribe(stream, SubscribeOptions.fromOffset(10))) {
      RaftlogException e = assertThrows(RaftlogException.class, () -> fail.poll(POLL));
      assertEquals(Status.Code.OUT_OF_RANGE, e.code(), e::getMessage);
      assertTrue(e.getMessage().contains("25"), e::getMessage); // the server names the offsets
    }
    SubscribeOptions earliest =
        SubscribeOptions.fromOffset(10).withReset(OffsetReset.OFFSET_RESET_EARLIEST);
    try (Subscription sub = client.subscribe(stream, earliest)) {
      assertEquals(range(25, 40), offsets(take(sub, 15)));
      assertEquals(40, sub.position());
    }
    SubscribeOptions latest =
        SubscribeOptions.fromOffset(10).withReset(OffsetReset.OFFSET_RESET_LATEST);
    try (Subscription sub = client.subscribe(stream, latest)) {
      assertEquals(List.of(), sub.poll(Duration.ofMillis(300)));
      client.produce(stream, values("y", 0, 2));
      assertEquals(List.of(40L, 41L), offsets(take(sub, 2)));
    }
    assertEquals(
        25, client.startOffset(stream, SubscribeOptions.fromEarliest()), "the first offset held");
    assertEquals(42, client.startOffset(stream, SubscribeOptions.fromLatest()));
  }

  @Test
  void aConsumerWhoseCommitWasTruncatedAwayFollowsItsPolicy() {
    String stream = "overtaken";
    client.produce(stream, values("o", 0, 30));
    client.commitOffset(stream, "slow", 5, false);
    client.truncate(stream, 20);
    try (Subscription sub = client.subscribe(stream, SubscribeOptions.consumer("slow"))) {
      RaftlogException e = assertThrows(RaftlogException.class, () -> sub.poll(POLL));
      assertEquals(Status.Code.OUT_OF_RANGE, e.code(), e::getMessage);
    }
    SubscribeOptions how =
        SubscribeOptions.consumer("slow").withReset(OffsetReset.OFFSET_RESET_EARLIEST);
    try (Subscription sub = client.subscribe(stream, how)) {
      assertEquals(range(20, 30), offsets(take(sub, 10)));
    }
    assertEquals(30, client.getConsumer(stream, "slow").getCommittedOffset());
  }

  @Test
  void badOptionsAreRefusedBeforeAnyCall() {
    assertThrows(IllegalArgumentException.class, () -> SubscribeOptions.consumer("no spaces"));
    assertThrows(IllegalArgumentException.class, () -> SubscribeOptions.consumer(""));
    assertThrows(IllegalArgumentException.class, () -> SubscribeOptions.fromOffset(-1));
    assertThrows(
        IllegalArgumentException.class,
        () -> SubscribeOptions.fromEarliest().withCommitInterval(Duration.ofSeconds(-1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> SubscribeOptions.fromEarliest().withReset(OffsetReset.UNRECOGNIZED));
    try (Subscription plain = client.subscribe("plain", 0)) {
      assertThrows(IllegalStateException.class, plain::commit);
    }
  }

  /** Polls until {@code n} records came (failing after 20 s), at most the rest each time. */
  static List<Record> take(Subscription sub, int n) {
    List<Record> out = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (out.size() < n && System.nanoTime() < deadline) {
      out.addAll(sub.poll(POLL, n - out.size()));
    }
    assertEquals(n, out.size(), "records polled");
    return out;
  }

  static List<Long> offsets(List<Record> records) {
    return records.stream().map(Record::getOffset).toList();
  }

  static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }

  static List<Record> values(String prefix, int from, int n) {
    List<Record> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      out.add(Record.newBuilder().setValue(ByteString.copyFromUtf8(prefix + i)).build());
    }
    return out;
  }
}
