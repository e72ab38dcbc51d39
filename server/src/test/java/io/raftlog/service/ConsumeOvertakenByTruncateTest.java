package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ConsumeStream reader held back by flow control while Truncate calls pass its position: with
 * FAIL it ends OUT_OF_RANGE, with EARLIEST it goes on from the new first offset, with LATEST from
 * the next; never is a record below the first offset sent once it is gone.
 */
class ConsumeOvertakenByTruncateTest {
  static final int RECORDS = 1000;
  static final int RECORD_BYTES = 1024;
  static final long FIRST_CUT = 600;
  static final long SECOND_CUT = 800;

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

  /** What one slow reader received: records' offsets, and how the call ended (null: not yet). */
  private record Reader(
      ClientCallStreamObserver<ConsumeRequest> call,
      BlockingQueue<Object> events,
      ManagedChannel channel) {

    /** The next message's offsets, or the call's end status. */
    Object next() throws InterruptedException {
      Object e = events.poll(20, TimeUnit.SECONDS);
      assertNotNull(e, "no answer in 20 s");
      return e;
    }
  }

  /**
   * A ConsumeStream from offset 0 on a follower, over a channel with a 64 KiB flow-control window
   * (no automatic tuning) that asks for one message at a time: the server stops once the window is
   * full, about 64 records in.
   */
  private static Reader slowReader(String stream, OffsetReset reset) {
    String follower =
        cluster.ids().stream()
            .filter(id -> !id.equals(cluster.awaitLeader(stream)))
            .findFirst()
            .get();
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(cluster.clientAddress(follower))
            .usePlaintext()
            .flowControlWindow(64 << 10)
            .build();
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    List<ClientCallStreamObserver<ConsumeRequest>> call = new ArrayList<>();
    LogGrpc.newStub(channel)
        .consumeStream(
            ConsumeRequest.newBuilder()
                .setStream(stream)
                .setMaxRecords(10)
                .setReset(reset)
                .setConsistency(Consistency.LINEARIZABLE)
                .build(),
            new ClientResponseObserver<ConsumeRequest, ConsumeResponse>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<ConsumeRequest> c) {
                c.disableAutoRequestWithInitial(1);
                call.add(c);
              }

              @Override
              public void onNext(ConsumeResponse r) {
                events.add(r.getRecordsList().stream().map(Record::getOffset).toList());
              }

              @Override
              public void onError(Throwable t) {
                events.add(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                events.add(Status.OK);
              }
            });
    return new Reader(call.get(0), events, channel);
  }

  private static void fill(String stream) {
    var leader = cluster.blocking(cluster.awaitLeader(stream));
    for (int b = 0; b < RECORDS / 100; b++) {
      ProduceRequest.Builder batch = ProduceRequest.newBuilder().setStream(stream);
      for (int i = 0; i < 100; i++) {
        batch.addRecords(Record.newBuilder().setValue(ByteString.copyFrom(new byte[RECORD_BYTES])));
      }
      leader.produce(batch.build());
    }
  }

  /** Holds the reader after its first message, and truncates twice past where it stopped. */
  private static Reader overtaken(String stream, OffsetReset reset) throws Exception {
    fill(stream);
    Reader r = slowReader(stream, reset);
    assertEquals(0L, ((List<?>) r.next()).get(0));
    Thread.sleep(300); // the server fills the window and waits
    for (long cut : List.of(FIRST_CUT, SECOND_CUT)) {
      cluster
          .blocking(cluster.aFollower())
          .truncate(TruncateRequest.newBuilder().setStream(stream).setBeforeOffset(cut).build());
    }
    r.call().request(Integer.MAX_VALUE);
    return r;
  }

  /**
   * Reads the messages sent before the truncation (offsets from 10 on, in order, all below the
   * first cut: the reader was held back), and returns the first event after them.
   */
  @SuppressWarnings("unchecked")
  private static Object afterTheHeldPart(Reader r) throws InterruptedException {
    long expected = 10;
    while (true) {
      Object e = r.next();
      if (!(e instanceof List<?> offsets) || (Long) offsets.get(0) != expected) {
        assertTrue(expected < FIRST_CUT, "the reader was overtaken, held at " + expected);
        return e;
      }
      for (Long o : (List<Long>) offsets) {
        assertEquals(expected++, o);
      }
    }
  }

  @Test
  void aFailReaderOvertakenByTruncateEndsOutOfRange() throws Exception {
    String stream = "overtaken-fail";
    Reader r = overtaken(stream, OffsetReset.OFFSET_RESET_FAIL);
    try {
      Object end = afterTheHeldPart(r);
      Status s = assertInstanceOf(Status.class, end, "no record below the first offset: " + end);
      assertEquals(Status.Code.OUT_OF_RANGE, s.getCode(), s.toString());
      // Overtaken by the first Truncate or by both, depending on when the server looked again.
      assertTrue(
          s.getDescription().contains("the stream holds offsets " + FIRST_CUT + " to 999")
              || s.getDescription().contains("the stream holds offsets " + SECOND_CUT + " to 999"),
          s.getDescription());
    } finally {
      r.channel().shutdownNow();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void anEarliestReaderOvertakenByTruncateGoesOnFromTheNewFirstOffset() throws Exception {
    String stream = "overtaken-earliest";
    Reader r = overtaken(stream, OffsetReset.OFFSET_RESET_EARLIEST);
    try {
      Object e = afterTheHeldPart(r);
      // Each jump lands on a first offset a Truncate made (the first cut, if the server looked
      // again between the two calls, then the second); between jumps, every record once.
      long expected = -1;
      while (true) {
        List<Long> offsets = assertInstanceOf(List.class, e, "records, not " + e);
        for (Long o : offsets) {
          if (o != expected) {
            assertTrue(
                (o == FIRST_CUT && expected < FIRST_CUT)
                    || (o == SECOND_CUT && expected < SECOND_CUT),
                "a jump to " + o + " after " + (expected - 1));
          }
          expected = o + 1;
        }
        if (expected == RECORDS) {
          break;
        }
        e = r.next();
      }
    } finally {
      r.channel().shutdownNow();
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void aLatestReaderOvertakenByTruncateGoesOnFromTheNextOffset() throws Exception {
    String stream = "overtaken-latest";
    Reader r = overtaken(stream, OffsetReset.OFFSET_RESET_LATEST);
    try {
      // Drain what was sent before; then only records appended after the jump arrive.
      Thread.sleep(300);
      cluster
          .blocking(cluster.awaitLeader(stream))
          .produce(
              ProduceRequest.newBuilder()
                  .setStream(stream)
                  .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8("new")))
                  .build());
      Object e = afterTheHeldPart(r);
      assertEquals(List.of((long) RECORDS), e);
    } finally {
      r.channel().shutdownNow();
    }
  }
}
