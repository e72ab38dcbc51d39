package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.raftlog.api.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sender's resend rules, driven directly: no cluster, no sender thread. Time is passed in, so
 * nothing here sleeps; only a batch's deadline reads the clock, and it is either far away (fresh
 * batches) or long gone (batches created a minute ago).
 */
class ResendQueueTest {
  private static final long PRODUCER = 7;
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  // Equal jitter on a 100 ms cap: every wait is 50 to 100 ms.
  private static final long MIN_WAIT = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MAX_WAIT = TimeUnit.MILLISECONDS.toNanos(100);
  private static final Status UNAVAILABLE = Status.UNAVAILABLE.withDescription("leader gone");
  private static final Status GAP = Status.FAILED_PRECONDITION.withDescription("sequence gap");

  private final ResendQueue queue =
      new ResendQueue(DEADLINE, new Backoff(Duration.ofMillis(100), Duration.ofMillis(100)));

  @Test
  void sequencesFollowSealOrderAndSurviveResends() {
    RecordAccumulator accumulator =
        new RecordAccumulator(
            RecordAccumulatorTest.options(1, 1 << 20, Duration.ZERO),
            RecordAccumulatorTest.ONE_SHARD,
            () -> {});
    for (int i = 0; i < 3; i++) {
      accumulator.append("s", record("r" + i)); // each record fills (and seals) a batch
    }
    List<ProducerBatch> sent = accumulator.drain(5, System.nanoTime());
    assertEquals(3, sent.size());
    sent.forEach(queue::assign);
    for (int i = 0; i < 3; i++) {
      assertEquals(i, sent.get(i).sequence);
      assertEquals(record("r" + i), sent.get(i).records().get(0), "sealed in send order");
    }

    long now = System.nanoTime();
    assertNull(queue.streamFailed(sent, UNAVAILABLE, now));
    ProducerBatch first = resentAndAnswered(now + MAX_WAIT);
    assertNull(queue.resendFailed(first, UNAVAILABLE, now));
    first = resentAndAnswered(now + 2 * MAX_WAIT);
    queue.resendSucceeded(now);
    ProducerBatch second = resentAndAnswered(now);
    queue.assign(second); // a batch sent before is never numbered again

    assertEquals(List.of(0L, 1L, 2L), sequences(sent));
    assertEquals(0, first.request(PRODUCER).getSequence());
    assertEquals(1, second.request(PRODUCER).getSequence());
    ProducerBatch later = batch();
    queue.assign(later);
    assertEquals(3, later.sequence);
  }

  @Test
  void afterAStreamFailsTheUnansweredBatchesAreResentOneAtATimeInOrder() {
    List<ProducerBatch> sent = sent(3);
    long now = System.nanoTime();
    assertNull(queue.streamFailed(sent, UNAVAILABLE, now));
    assertNull(queue.due(now), "a retryable stream failure waits a backoff first");

    long t = now + MAX_WAIT;
    for (ProducerBatch expected : sent) {
      ProducerBatch b = queue.due(t);
      assertSame(expected, b);
      queue.resendStarted();
      assertNull(queue.due(t + TimeUnit.SECONDS.toNanos(5)), "one resend at a time");
      assertEquals(Long.MAX_VALUE, queue.nanosToNextResend(t));
      assertTrue(queue.answered(b));
      assertSame(b, queue.resendSucceeded(t));
    }
    assertTrue(queue.isEmpty());
    assertNull(queue.due(t));
  }

  @Test
  void aStreamThatFailsWithANonRetryableStatusResendsAtOnceToLearnWhichBatchIsRejected() {
    List<ProducerBatch> sent = sent(2);
    long now = System.nanoTime();
    assertNull(queue.streamFailed(sent, Status.INTERNAL, now), "no batch is failed yet");
    assertSame(sent.get(0), queue.due(now));
  }

  @Test
  void aRetryableResendFailureWaitsABackoffBeforeTheSameBatchGoesAgain() {
    List<ProducerBatch> sent = sent(2);
    long now = System.nanoTime();
    queue.streamFailed(sent, Status.INTERNAL, now);
    ProducerBatch b = resentAndAnswered(now);

    assertNull(queue.resendFailed(b, UNAVAILABLE, now));
    long wait = queue.nanosToNextResend(now);
    assertTrue(wait >= MIN_WAIT && wait <= MAX_WAIT, "waits a backoff: " + wait);
    assertNull(queue.due(now + MIN_WAIT - 1));
    assertSame(b, queue.due(now + MAX_WAIT), "the same batch, under the same sequence");
    assertEquals(0, b.sequence);
  }

  @Test
  void aNonRetryableResendFailureFailsTheBatchAtOnceWithItsStatus() {
    List<ProducerBatch> sent = sent(2);
    long now = System.nanoTime();
    queue.streamFailed(sent, Status.INTERNAL, now);
    ProducerBatch b = resentAndAnswered(now);

    ResendQueue.GivenUp givenUp =
        queue.resendFailed(b, Status.INVALID_ARGUMENT.withDescription("too big"), now);
    assertNotNull(givenUp);
    assertSame(b, givenUp.batch());
    assertEquals(Status.Code.INVALID_ARGUMENT, givenUp.error().code());
    assertFalse(givenUp.error().getMessage().contains("may or may not"), "the log said no");
    assertSame(sent.get(1), queue.due(now), "the next batch goes at once");
    assertEquals(1, sent.get(1).sequence);
  }

  @Test
  void aBatchGivenUpAfterRetryableFailuresMayOrMayNotHaveBeenAppendedAndTheNextKeepsItsSequence() {
    ProducerBatch expired = expiredBatch();
    List<ProducerBatch> sent = List.of(expired, batch(), batch());
    sent.forEach(queue::assign);
    long now = System.nanoTime();

    ResendQueue.GivenUp givenUp = queue.streamFailed(sent, UNAVAILABLE, now);
    assertNotNull(givenUp, "its deadline has passed");
    assertSame(expired, givenUp.batch());
    assertEquals(Status.Code.DEADLINE_EXCEEDED, givenUp.error().code());
    assertTrue(
        givenUp.error().getMessage().endsWith("; the batch may or may not have been appended"),
        givenUp.error().getMessage());
    assertEquals(1, queue.uncertain());

    // Not renumbered at once: the next batch may have been appended under its own number.
    assertSame(sent.get(1), queue.due(now));
    assertEquals(List.of(0L, 1L, 2L), sequences(sent));
    assertEquals(3, queue.nextSequence());
  }

  @Test
  void aSequenceGapOnAResendAfterAGiveUpRenumbersThatBatchAndEveryLaterOneDownByOne() {
    List<ProducerBatch> sent = List.of(expiredBatch(), batch(), batch());
    sent.forEach(queue::assign);
    long now = System.nanoTime();
    assertNotNull(queue.streamFailed(sent, UNAVAILABLE, now));
    ProducerBatch b = resentAndAnswered(now);

    assertNull(queue.resendFailed(b, GAP, now), "a gap after a give-up is no failure");
    assertEquals(List.of(0L, 0L, 1L), sequences(sent), "the given-up 0 was never appended");
    assertEquals(2, queue.nextSequence());
    assertEquals(0, queue.uncertain());
    assertSame(b, queue.due(now), "resent at once under its new number");
    assertEquals(0, b.request(PRODUCER).getSequence());
    ProducerBatch later = batch();
    queue.assign(later);
    assertEquals(2, later.sequence);
  }

  @Test
  void aSequenceGapWithNothingGivenUpFailsTheBatch() {
    List<ProducerBatch> sent = sent(2);
    long now = System.nanoTime();
    queue.streamFailed(sent, UNAVAILABLE, now);
    ProducerBatch b = resentAndAnswered(now + MAX_WAIT);

    ResendQueue.GivenUp givenUp = queue.resendFailed(b, GAP, now);
    assertNotNull(givenUp);
    assertSame(b, givenUp.batch());
    assertEquals(Status.Code.FAILED_PRECONDITION, givenUp.error().code());
    assertEquals(List.of(0L, 1L), sequences(sent), "nothing renumbered");
    assertEquals(2, queue.nextSequence());
  }

  @Test
  void aSuccessfulResendClearsTheUncertaintySoALaterGapFailsTheBatch() {
    List<ProducerBatch> sent = List.of(expiredBatch(), batch(), batch());
    sent.forEach(queue::assign);
    long now = System.nanoTime();
    assertNotNull(queue.streamFailed(sent, UNAVAILABLE, now));
    assertEquals(1, queue.uncertain());
    resentAndAnswered(now);
    queue.resendSucceeded(now);
    assertEquals(0, queue.uncertain(), "the log holds everything below the acknowledged batch");

    ProducerBatch last = resentAndAnswered(now);
    ResendQueue.GivenUp givenUp = queue.resendFailed(last, GAP, now);
    assertNotNull(givenUp, "a gap now is the log's answer, not the given-up batch's number");
    assertEquals(2, last.sequence);
  }

  @Test
  void anAnswerOnTheStreamClearsTheUncertainty() {
    List<ProducerBatch> sent = List.of(expiredBatch(), batch());
    sent.forEach(queue::assign);
    assertNotNull(queue.streamFailed(sent.subList(0, 1), UNAVAILABLE, System.nanoTime()));
    assertEquals(1, queue.uncertain());
    queue.acknowledged();
    assertEquals(0, queue.uncertain());
  }

  @Test
  void aStaleResendAnswerIsIgnored() {
    List<ProducerBatch> sent = sent(2);
    long now = System.nanoTime();
    queue.streamFailed(sent, Status.INTERNAL, now);
    assertSame(sent.get(0), queue.due(now));
    queue.resendStarted();
    assertFalse(queue.answered(sent.get(1)), "not the batch being resent");
    assertSame(sent.get(0), queue.due(now), "and it is resent again");
  }

  /** The batch due at {@code nowNanos}, after the queue is told it was resent and answered. */
  private ProducerBatch resentAndAnswered(long nowNanos) {
    ProducerBatch b = queue.due(nowNanos);
    assertNotNull(b, "a resend is due");
    queue.resendStarted();
    assertTrue(queue.answered(b));
    return b;
  }

  private List<ProducerBatch> sent(int n) {
    List<ProducerBatch> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ProducerBatch b = batch();
      queue.assign(b);
      out.add(b);
    }
    return out;
  }

  private static ProducerBatch batch() {
    return batchCreatedAt(System.nanoTime());
  }

  /** A batch created a minute ago, past its 10 s deadline. */
  private static ProducerBatch expiredBatch() {
    return batchCreatedAt(System.nanoTime() - TimeUnit.MINUTES.toNanos(1));
  }

  private static ProducerBatch batchCreatedAt(long nanos) {
    ProducerBatch b = new ProducerBatch(0, nanos);
    b.add("s", record("x"), new CompletableFuture<>());
    return b;
  }

  private static List<Long> sequences(List<ProducerBatch> batches) {
    return batches.stream().map(b -> b.sequence).toList();
  }

  static Record record(String value) {
    return Record.newBuilder().setValue(ByteString.copyFromUtf8(value)).build();
  }
}
