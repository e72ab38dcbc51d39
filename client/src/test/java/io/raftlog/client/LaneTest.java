package io.raftlog.client;

import static io.raftlog.client.ResendQueueTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.StreamOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * One shard's lane with no cluster and no sender thread: the calls it makes are recorded and
 * answered by the test, time is a counter the test moves, and who leads comes from a real {@link
 * ClusterView} the test tells. Each test pins one rule of the lane, named for the failure the rule
 * prevents.
 */
class LaneTest {
  private static final String A = "a:1";
  private static final String B = "b:2";
  private static final String C = "c:3";
  private static final int SHARD = 0;
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
  private static final long STALLED = Lane.STALL_NANOS + 1;
  private static final long BACKOFF = Duration.ofMillis(1).toNanos();

  private long now = System.nanoTime(); // batch deadlines read the real clock: keep near it
  private int refreshes;
  private final ClusterView view =
      new ClusterView(List.of(A, B, C), Duration.ofSeconds(2), () -> now, () -> refreshes++);
  private final List<Call> streams = new ArrayList<>();
  private final List<Call> resends = new ArrayList<>();
  private final List<ProducerBatch> succeeded = new ArrayList<>();
  private final List<ResendQueue.GivenUp> givenUp = new ArrayList<>();
  private long backoff = BACKOFF;
  private final Lane lane = new Lane(SHARD, context());

  @Test
  void anAnswerForAnotherBatchEndsTheStreamInsteadOfCompletingTheWrongFutures() {
    view.leads(SHARD, A);
    List<ProducerBatch> sent = send(2);
    stream(0).answers.onNext(answer(sent.get(1)));

    assertTrue(succeeded.isEmpty());
    assertTrue(stream(0).cancelled.contains("does not match the batch"), stream(0).cancelled);
    assertEquals(0, lane.room(), "both batches wait to be resent");
  }

  @Test
  void aStreamUnansweredForTheAttemptTimeoutEndsEvenWhileItsNodeStillLeads() {
    sendTo(A);
    pass(ATTEMPT_TIMEOUT.toNanos());
    assertNull(stream(0).cancelled, "not yet past the attempt timeout");
    pass(1);
    assertEquals("no answer from a:1 in 10000 ms", stream(0).cancelled);
  }

  @Test
  void aStreamStalledOnALeaderThatWasReplacedIsAbandonedWithoutWaitingOutTheAttemptTimeout() {
    sendTo(A);
    view.leads(SHARD, B);
    pass(STALLED);
    assertEquals("a:1 stalled and b:2 leads shard 0 now", stream(0).cancelled);
  }

  @Test
  void aSlowStreamIsNotAbandonedBeforeItHasStalled() {
    sendTo(A);
    view.leads(SHARD, B);
    pass(Lane.STALL_NANOS);
    assertNull(stream(0).cancelled);
    assertEquals(0, refreshes, "a slow stream does not ask who leads yet");
  }

  @Test
  void aStreamStalledOnTheLeaderTheClusterStillNamesIsKeptButTheLeaderIsAskedFor() {
    sendTo(A);
    pass(STALLED);
    assertNull(stream(0).cancelled);
    assertEquals(1, refreshes);
  }

  @Test
  void aStreamStalledOnAGuessedNodeIsAbandonedOnceALeaderIsKnownEvenIfItIsThatNode() {
    send(1); // no leader known: the stream goes to a guess, which forwards
    String guess = stream(0).node;
    view.leads(SHARD, guess);
    pass(STALLED);
    assertEquals(
        guess + " stalled and " + guess + " leads shard 0 now",
        stream(0).cancelled,
        "its forward may hang on a leader since cut off");
  }

  @Test
  void aStreamStalledOnAGuessedNodeIsKeptWhileNoLeaderIsKnown() {
    send(1);
    pass(STALLED);
    assertNull(stream(0).cancelled, "there is nowhere better to go");
  }

  @Test
  void aStreamTheNodeEndedHandsItsBatchesToResendsOneAtATimeInOrderAndNothingNewGoesMeanwhile() {
    view.leads(SHARD, A);
    List<ProducerBatch> sent = send(2);
    stream(0).answers.onCompleted();
    assertEquals(0, lane.room(), "nothing new while resends wait");

    pass(BACKOFF + 1);
    assertEquals(1, resends.size(), "one resend at a time");
    assertEquals(sent.get(0).sequence, resends.get(0).request.getSequence());
    pass(0);
    assertEquals(1, resends.size(), "the next waits for the answer");

    resends.get(0).answers.onNext(answer(sent.get(0)));
    pass(0);
    assertEquals(2, resends.size());
    assertEquals(sent.get(1).sequence, resends.get(1).request.getSequence());
    resends.get(1).answers.onNext(answer(sent.get(1)));

    assertEquals(sent, succeeded);
    assertEquals(5, lane.room(), "streaming resumes");
    send(1);
    assertEquals(2, streams.size(), "on a new stream");
  }

  /**
   * The backoff spaces attempts while an election runs; once a node names the new leader, waiting
   * the rest of it (up to 250 ms per attempt by default) only lengthened a killed leader's outage.
   */
  @Test
  void aResendWaitingOutItsBackoffGoesAtOnceWhenANewLeaderIsNamed() {
    backoff = Duration.ofSeconds(1).toNanos();
    Lane slow = new Lane(SHARD, context());
    view.leads(SHARD, A);
    ProducerBatch b = new ProducerBatch(SHARD, System.nanoTime());
    b.add("s", record("r"), new CompletableFuture<>());
    slow.send(List.of(b));
    view.observe(A, SHARD, Status.UNAVAILABLE, false, null); // A is gone: no leader known
    stream(0).answers.onError(Status.UNAVAILABLE.asRuntimeException());
    now += 1;
    slow.duties(now);
    assertTrue(resends.isEmpty(), "no leader known: the backoff holds");

    view.leads(SHARD, B);
    now += 1;
    slow.duties(now);
    assertEquals(1, resends.size(), "the new leader is known: the resend goes now");
    assertEquals(B, resends.get(0).node);
  }

  @Test
  void aResendToTheLeaderThatFailedStillWaitsItsBackoff() {
    backoff = Duration.ofSeconds(1).toNanos();
    Lane slow = new Lane(SHARD, context());
    view.leads(SHARD, A);
    ProducerBatch b = new ProducerBatch(SHARD, System.nanoTime());
    b.add("s", record("r"), new CompletableFuture<>());
    slow.send(List.of(b));
    stream(0).answers.onError(Status.UNAVAILABLE.asRuntimeException());
    view.leads(SHARD, A);
    now += 1;
    slow.duties(now);
    assertTrue(resends.isEmpty(), "the same leader named again is no news");
  }

  @Test
  void aResendCarriesTheAttemptTimeoutAsItsDeadline() {
    resendAfterTheStreamFailed(A);
    assertEquals(ATTEMPT_TIMEOUT.toNanos(), resends.get(0).timeoutNanos);
    assertEquals(A, resends.get(0).node);
  }

  @Test
  void aResendStalledOnALeaderThatWasReplacedIsCancelledAndGoesToTheNewLeaderUnderItsSequence() {
    ProducerBatch b = resendAfterTheStreamFailed(A);
    view.leads(SHARD, B);
    pass(STALLED);
    assertEquals("a:1 stalled on a resend and b:2 leads shard 0 now", resends.get(0).cancelled);

    pass(BACKOFF + 1);
    assertEquals(2, resends.size());
    assertEquals(B, resends.get(1).node);
    assertEquals(b.sequence, resends.get(1).request.getSequence(), "appended once if at all");
  }

  @Test
  void aSlowResendIsNotAbandonedBeforeItHasStalled() {
    resendAfterTheStreamFailed(A);
    view.leads(SHARD, B);
    pass(Lane.STALL_NANOS);
    assertNull(resends.get(0).cancelled);
  }

  @Test
  void aResendStalledOnTheLeaderTheClusterStillNamesIsKept() {
    resendAfterTheStreamFailed(A);
    pass(STALLED);
    assertNull(resends.get(0).cancelled);
  }

  @Test
  void aResendStalledOnAGuessedNodeIsAbandonedOnceALeaderIsKnown() {
    resendAfterTheStreamFailed(null);
    String guess = resends.get(0).node;
    view.leads(SHARD, guess);
    pass(STALLED);
    assertEquals(
        guess + " stalled on a resend and " + guess + " leads shard 0 now",
        resends.get(0).cancelled);
  }

  @Test
  void theLateAnswerOfAnAbandonedResendDoesNotCompleteTheBatchTwice() {
    ProducerBatch b = resendAfterTheStreamFailed(A);
    view.leads(SHARD, B);
    pass(STALLED);

    resends.get(0).answers.onNext(answer(b));
    assertTrue(succeeded.isEmpty(), "its outcome was settled when it was abandoned");
    pass(BACKOFF + 1);
    resends.get(1).answers.onNext(answer(b));
    assertEquals(List.of(b), succeeded);
  }

  @Test
  void aLateEndOfAnEndedStreamDoesNotEndTheStreamThatReplacedIt() {
    ProducerBatch first = sendTo(A);
    pass(ATTEMPT_TIMEOUT.toNanos() + 1);
    pass(BACKOFF + 1);
    resends.get(0).answers.onNext(answer(first));
    send(1);
    assertEquals(2, streams.size());

    stream(0).answers.onError(Status.CANCELLED.asRuntimeException()); // gRPC reports the cancel
    stream(0).answers.onNext(answer(first));
    assertNull(stream(1).cancelled);
    assertEquals(4, lane.room(), "the new stream's batch is still in flight on it");
  }

  @Test
  void aResendAnswerThatDoesNotMatchTheBatchFailsItInsteadOfCompletingItsFutures() {
    ProducerBatch b = resendAfterTheStreamFailed(A);
    ProduceResponse twoRecords =
        answer(b).toBuilder().setAppended(0, offsets(0).setRecordCount(2)).build();
    resends.get(0).answers.onNext(twoRecords);
    assertTrue(succeeded.isEmpty());
    assertEquals(1, givenUp.size());
    assertSame(b, givenUp.get(0).batch());
    assertEquals(Status.Code.INTERNAL, givenUp.get(0).error().code());
  }

  @Test
  void anIdleStreamThroughANodeThatDoesNotLeadIsClosedSoTheNextBatchesGoToTheLeader() {
    ProducerBatch b = send(1).get(0); // no leader known: a guess
    String guess = stream(0).node;
    String leader = guess.equals(A) ? B : A;
    view.leads(SHARD, leader);
    lane.leaveIdleRelay();
    assertFalse(stream(0).completed, "a batch is still in flight on it");

    stream(0).answers.onNext(answer(b));
    lane.leaveIdleRelay();
    assertTrue(stream(0).completed);
    send(1);
    assertEquals(leader, stream(1).node);
  }

  // ---- the lane's surroundings

  private Lane.Context context() {
    Lane.Outcomes outcomes =
        new Lane.Outcomes() {
          @Override
          public void streamOpened() {}

          @Override
          public void succeeded(ProducerBatch b, ProduceResponse answer) {
            succeeded.add(b);
          }

          @Override
          public void gaveUp(ResendQueue.GivenUp g) {
            givenUp.add(g);
          }
        };
    ProduceCalls calls =
        new ProduceCalls() {
          @Override
          public void openStream(String node, int shard, Answers answers) {
            streams.add(new Call(node, null, 0, answers));
          }

          @Override
          public void produce(
              String node, int shard, ProduceRequest r, long timeoutNanos, Answers answers) {
            resends.add(new Call(node, r, timeoutNanos, answers));
          }
        };
    ClientOptions options =
        ClientOptions.defaults().with(ClientSettings.ATTEMPT_TIMEOUT, ATTEMPT_TIMEOUT);
    Backoff b = new Backoff(Duration.ofNanos(backoff), Duration.ofNanos(backoff));
    return new Lane.Context(options, b, 7, view, calls, () -> now, Runnable::run, outcomes);
  }

  /** Sends {@code n} new one-record batches on the lane. */
  private List<ProducerBatch> send(int n) {
    List<ProducerBatch> batches = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ProducerBatch b = new ProducerBatch(SHARD, System.nanoTime());
      b.add("s", record("r" + i), new CompletableFuture<>());
      batches.add(b);
    }
    lane.send(batches);
    return batches;
  }

  /** One batch on a stream to {@code leader}, known to lead. */
  private ProducerBatch sendTo(String leader) {
    view.leads(SHARD, leader);
    return send(1).get(0);
  }

  /**
   * One batch whose stream to {@code leader} (null: none known, a guess) failed, resent once the
   * backoff has passed.
   */
  private ProducerBatch resendAfterTheStreamFailed(String leader) {
    if (leader != null) {
      view.leads(SHARD, leader);
    }
    ProducerBatch b = send(1).get(0);
    stream(0).answers.onError(Status.UNAVAILABLE.asRuntimeException());
    pass(BACKOFF + 1);
    assertEquals(1, resends.size());
    return b;
  }

  /** Moves time on by {@code nanos} and runs the lane's duties. */
  private void pass(long nanos) {
    now += nanos;
    lane.duties(now);
  }

  private Call stream(int i) {
    return streams.get(i);
  }

  private static ProduceResponse answer(ProducerBatch b) {
    return ProduceResponse.newBuilder()
        .setSequence(b.sequence)
        .setRecordCount(b.recordCount)
        .addAppended(offsets(10 * b.sequence))
        .build();
  }

  private static StreamOffsets.Builder offsets(long base) {
    return StreamOffsets.newBuilder().setStream("s").setBaseOffset(base).setRecordCount(1);
  }

  /** One call the lane made: where to, what, and what the lane did with its request side. */
  private static final class Call extends ClientCallStreamObserver<ProduceRequest> {
    final String node;
    final ProduceRequest request;
    final long timeoutNanos;
    final ProduceCalls.Answers answers;
    String cancelled;
    boolean completed;

    Call(String node, ProduceRequest request, long timeoutNanos, ProduceCalls.Answers answers) {
      this.node = node;
      this.request = request;
      this.timeoutNanos = timeoutNanos;
      this.answers = answers;
      answers.beforeStart(this);
    }

    @Override
    public void cancel(String message, Throwable cause) {
      cancelled = message;
    }

    @Override
    public void onNext(ProduceRequest value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {
      completed = true;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}
  }
}
