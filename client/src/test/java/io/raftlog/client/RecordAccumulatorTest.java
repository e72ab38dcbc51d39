package io.raftlog.client;

import static io.raftlog.client.ResendQueueTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.raftlog.api.v1.Record;
import io.raftlog.testkit.Await;
import io.raftlog.wire.StreamNames;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The callers' side of the producer, with no sender thread: the test drains it. */
class RecordAccumulatorTest {
  private static final Duration LONG_LINGER = Duration.ofHours(1);
  private static final String S = StreamNames.DEFAULT;
  static final RecordAccumulator.Router ONE_SHARD = (stream, wait) -> 0;

  /** What a stream's part adds to a batch's size besides its records: its name and framing. */
  private static final int PART = S.length() + 8;

  private final AtomicInteger wakes = new AtomicInteger();

  @Test
  void aBatchSealsWhenItReachesTheBatchSize() {
    long size = sizeOf(record("a"));
    RecordAccumulator acc = accumulator(options((int) (2 * size + PART), 1 << 20, Duration.ZERO));
    long now = System.nanoTime();

    acc.append(S, record("a"));
    assertEquals(List.of(), acc.drain(5, now), "half full, lingering");
    acc.append(S, record("b"));
    acc.append(S, record("c"));

    List<ProducerBatch> drained = acc.drain(5, now);
    assertEquals(1, drained.size(), "sealed at two records; the third lingers");
    assertEquals(List.of(record("a"), record("b")), drained.get(0).records());
    assertEquals(2 * size, drained.get(0).bytes);
    assertTrue(wakes.get() >= 2, "the sender was woken to time the linger and to send");
  }

  @Test
  void aRecordThatDoesNotFitTheOpenBatchStartsTheNext() {
    long size = sizeOf(record("a"));
    RecordAccumulator acc = accumulator(options((int) (size + PART + 1), 1 << 20, Duration.ZERO));
    acc.append(S, record("a"));
    acc.append(S, record("b"));
    List<ProducerBatch> drained = acc.drain(5, System.nanoTime());
    assertEquals(1, drained.size());
    assertEquals(List.of(record("a")), drained.get(0).records());
  }

  @Test
  void anOpenBatchIsSentOnlyOnceItsLingerHasPassedAndThereIsRoom() {
    Duration linger = Duration.ofMillis(200);
    RecordAccumulator acc = accumulator(options(1 << 20, 1 << 20, Duration.ZERO, linger));
    long before = System.nanoTime();
    acc.append(S, record("a"));
    long after = System.nanoTime();

    long toEnd = acc.nanosToLingerEnd(after, s -> true);
    assertTrue(toEnd <= linger.toNanos() && toEnd > linger.toNanos() - (after - before) - 1);
    assertEquals(List.of(), acc.drain(5, before + linger.toNanos() - 1));
    long past = after + linger.toNanos();
    assertEquals(List.of(), acc.drain(0, past));
    assertTrue(
        acc.nanosToLingerEnd(past, s -> true) <= 0, "no room in flight: the batch stays open");
    assertEquals(1, acc.drain(5, past).size());
    assertEquals(Long.MAX_VALUE, acc.nanosToLingerEnd(past, s -> true), "no batch open");
  }

  @Test
  void aFullBufferBlocksForTheMaxBlockTimeThenFailsWithResourceExhausted() {
    long size = sizeOf(record("a"));
    Duration maxBlock = Duration.ofMillis(200);
    RecordAccumulator acc = accumulator(options(1 << 20, size + size / 2, maxBlock));
    acc.append(S, record("a"));

    long start = System.nanoTime();
    RaftlogException e = assertThrows(RaftlogException.class, () -> acc.append(S, record("b")));
    long waited = System.nanoTime() - start;
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.code());
    assertTrue(waited >= maxBlock.toNanos(), "blocked " + waited / 1_000_000 + " ms");
    assertTrue(e.getMessage().contains("producer buffer full"), e.getMessage());
    assertEquals(1, acc.drain(5, System.nanoTime()).size(), "the blocked send sealed the batch");
    assertEquals(size, acc.bufferedBytes(), "the failed record holds no space");
  }

  @Test
  void aSendBlockedOnAFullBufferGoesOnOnceAnAnswerFreesSpace() throws Exception {
    long size = sizeOf(record("a"));
    RecordAccumulator acc = accumulator(options(1 << 20, size, Duration.ofSeconds(30)));
    acc.append(S, record("a"));

    CompletableFuture<Long> blocked = new CompletableFuture<>();
    Thread caller = new Thread(() -> blocked.complete(acc.append(S, record("b")).getNow(-1L)));
    caller.start();
    ProducerBatch first = awaitSealed(acc);
    assertFalse(blocked.isDone());
    acc.release(first.bytes);
    caller.join(TimeUnit.SECONDS.toMillis(10));
    assertTrue(blocked.isDone(), "the send went on");
    assertEquals(size, acc.bufferedBytes());
  }

  @Test
  void aRecordLargerThanTheWholeBufferIsRejectedAtOnce() {
    Record big = Record.newBuilder().setValue(ByteString.copyFrom(new byte[1000])).build();
    RecordAccumulator acc = accumulator(options(1 << 20, 1000, Duration.ofSeconds(30)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> acc.append(S, big));
    assertTrue(e.getMessage().contains("larger than the producer's whole buffer"), e.getMessage());
    assertEquals(0, acc.bufferedBytes());
    assertThrows(IllegalArgumentException.class, () -> acc.appendAllAndSeal(S, List.of(big), null));
  }

  @Test
  void aSendAfterCloseFailsAsClosed() {
    RecordAccumulator acc = accumulator(options(1 << 20, 1 << 20, Duration.ZERO));
    acc.close();
    assertTrue(acc.isClosing());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> acc.append(S, record("a")));
    assertEquals("producer is closed", e.getMessage());
    assertThrows(
        IllegalStateException.class, () -> acc.appendAllAndSeal(S, List.of(record("a")), null));
  }

  @Test
  void aSendBlockedOnAFullBufferFailsWhenTheProducerCloses() throws Exception {
    long size = sizeOf(record("a"));
    RecordAccumulator acc = accumulator(options(1 << 20, size, Duration.ofSeconds(30)));
    acc.append(S, record("a"));

    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                acc.append(S, record("b"));
                failure.complete(null);
              } catch (RuntimeException e) {
                failure.complete(e);
              }
            });
    caller.start();
    ProducerBatch first = awaitSealed(acc);
    acc.close();
    acc.release(first.bytes); // wakes the caller, which must now see the close
    assertTrue(failure.get(10, TimeUnit.SECONDS) instanceof IllegalStateException);
  }

  @Test
  void theAccumulatorIsFinishedOnlyOnceClosedAndEveryBatchDrained() {
    RecordAccumulator acc = accumulator(options(1 << 20, 1 << 20, Duration.ZERO));
    acc.append(S, record("a"));
    CompletableFuture<Void> last = acc.sealOpen();
    acc.close();
    assertFalse(acc.closedAndEmpty(), "a sealed batch waits");
    List<ProducerBatch> drained = acc.drain(5, System.nanoTime());
    assertFalse(last.isDone());
    drained.get(0).done.complete(null);
    assertTrue(last.isDone(), "flush waits for the last sealed batch");
    assertTrue(acc.closedAndEmpty());
  }

  @Test
  void appendAllAndSealKeepsTheRecordsTogetherInOneSealedBatch() {
    RecordAccumulator acc = accumulator(options(1 << 20, 1 << 20, Duration.ZERO));
    List<CompletableFuture<Long>> offsets =
        acc.appendAllAndSeal(S, List.of(record("a"), record("b"), record("c")), null);
    List<ProducerBatch> drained = acc.drain(5, System.nanoTime());
    assertEquals(1, drained.size(), "sealed without lingering");
    assertEquals(offsets, drained.get(0).offsets());
  }

  /** Waits for the blocked caller to seal the open batch, as it does before waiting for space. */
  private static ProducerBatch awaitSealed(RecordAccumulator acc) {
    return Await.value(
        Duration.ofSeconds(10),
        "the blocked send to seal the open batch",
        () -> {
          // Room 1 and a lingering batch far from its end: only a sealed batch comes out.
          List<ProducerBatch> drained = acc.drain(1, System.nanoTime());
          return drained.isEmpty() ? null : drained.get(0);
        });
  }

  private RecordAccumulator accumulator(ClientOptions options) {
    return new RecordAccumulator(options, ONE_SHARD, wakes::incrementAndGet);
  }

  /** What a record counts against the buffer and the batch size. */
  private static long sizeOf(Record r) {
    RecordAccumulator acc =
        new RecordAccumulator(options(1 << 20, 1 << 20, Duration.ZERO), ONE_SHARD, () -> {});
    acc.append(S, r);
    return acc.bufferedBytes();
  }

  static ClientOptions options(int batchBytes, long bufferBytes, Duration maxBlock) {
    return options(batchBytes, bufferBytes, maxBlock, LONG_LINGER);
  }

  static ClientOptions options(
      int batchBytes, long bufferBytes, Duration maxBlock, Duration linger) {
    return ClientOptions.defaults()
        .with(ClientSettings.SERVERS, List.of("localhost:1"))
        .with(ClientSettings.DEADLINE, Duration.ofSeconds(10))
        .with(ClientSettings.ATTEMPT_TIMEOUT, Duration.ofSeconds(1))
        .with(ClientSettings.INITIAL_BACKOFF, Duration.ofMillis(100))
        .with(ClientSettings.MAX_BACKOFF, Duration.ofMillis(100))
        .with(ClientSettings.FAILED_NODE_QUARANTINE, Duration.ofSeconds(1))
        .with(ClientSettings.BATCH_BYTES, batchBytes)
        .with(ClientSettings.LINGER, linger)
        .with(ClientSettings.BUFFER_BYTES, bufferBytes)
        .with(ClientSettings.MAX_BLOCK, maxBlock)
        .with(ClientSettings.MAX_INBOUND_BYTES, 4 << 20);
  }
}
