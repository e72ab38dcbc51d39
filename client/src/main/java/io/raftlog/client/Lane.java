package io.raftlog.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's lane of a producer: its {@code ProduceStream} to the shard's leader, its batches in
 * flight on that stream (oldest first), its {@link ResendQueue} and the one resend in flight, and
 * the rules that end a stream or abandon a resend:
 *
 * <ul>
 *   <li>an answer that does not match the oldest batch in flight ends the stream;
 *   <li>a call unanswered for the attempt timeout ends the stream;
 *   <li>a call unanswered for {@link #STALL_NANOS} makes the lane ask who leads, and is abandoned
 *       if the cluster now names another leader, or if the call went to a guessed node (no leader
 *       was known when it was sent) and a leader is known now;
 *   <li>a stream left idle on a node that does not lead the shard is closed, so the next batches go
 *       straight to the leader.
 * </ul>
 *
 * After a stream ends its unanswered batches are resent one at a time as the {@link ResendQueue}
 * says, and nothing new is sent until they are all answered. A resend waiting out its backoff goes
 * at once when the cluster names a leader other than the node that failed: the backoff spaces
 * attempts while no leader is known, and a known new leader ends that.
 *
 * <p>Owned by the producer's {@link Sender} and touched only by its thread: every method runs
 * there. gRPC's threads only hand what happened (an answer, a stream's end) to the {@link
 * Context#events} executor, which runs it on the sender thread. Time comes from {@link
 * Context#clock}, who leads from {@link Context#cluster}, so {@code LaneTest} drives a lane with
 * neither a clock that runs nor a cluster.
 */
final class Lane {
  private static final Logger LOG = LoggerFactory.getLogger(Lane.class);

  /**
   * A call unanswered this long makes the lane ask who leads, and maybe abandon the call. Asking
   * costs one GetCluster and a call is abandoned only for another leader, so this can be well under
   * the election timeout: a frozen leader's calls move as soon as the new leader is known (at a
   * second they were the largest part of a paused leader's outage).
   */
  static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

  /** What a lane reports to its owner; called on the sender thread. */
  interface Outcomes {
    /** A {@code ProduceStream} was opened (counted for tests). */
    void streamOpened();

    /** {@code b} was appended, as {@code answer} says. */
    void succeeded(ProducerBatch b, ProduceResponse answer);

    /** The resend rules gave a batch up. */
    void gaveUp(ResendQueue.GivenUp givenUp);
  }

  /**
   * What every lane of a producer shares.
   *
   * @param events runs what gRPC's threads report on the sender thread
   * @param clock {@link System#nanoTime} in production
   */
  record Context(
      ClientOptions options,
      Backoff backoff,
      long producerId,
      ClusterView cluster,
      ProduceCalls calls,
      LongSupplier clock,
      Executor events,
      Outcomes outcomes) {}

  private final int shard;
  private final Context c;
  private final int maxInFlight;
  private final Duration attemptTimeout;
  private final ArrayDeque<ProducerBatch> inflight = new ArrayDeque<>();
  private final ResendQueue resends;
  private Call stream;
  private Call resend; // the resend in flight, if any
  // While resends wait: the shard's leader as the view knew it when the last attempt failed ("" for
  // none known), so a leader learned since sends the next resend at once. Null: nothing waits.
  private String leaderWhenFailed;

  Lane(int shard, Context c) {
    this.shard = shard;
    this.c = c;
    this.maxInFlight = c.options().get(ClientSettings.MAX_IN_FLIGHT);
    this.attemptTimeout = c.options().get(ClientSettings.ATTEMPT_TIMEOUT);
    this.resends = new ResendQueue(c.options().get(ClientSettings.DEADLINE), c.backoff());
  }

  /** How many more batches may go now: none while resends are pending. */
  int room() {
    return resends.isEmpty() ? maxInFlight - inflight.size() : 0;
  }

  /** Nanoseconds until a resend is due (at most 0 once it is), or {@link Long#MAX_VALUE}. */
  long nanosToNextResend(long now) {
    return resends.nanosToNextResend(now);
  }

  /** Whether batches are in flight on the stream. */
  boolean hasInFlight() {
    return !inflight.isEmpty();
  }

  /** The stall rules, then a resend if one is due; true while resends wait. */
  boolean duties(long now) {
    checkStall(now);
    if (resends.isEmpty()) {
      leaderWhenFailed = null;
      return false;
    }
    String leader = c.cluster().leaderOf(shard);
    if (leaderWhenFailed != null && leader != null && !leader.equals(leaderWhenFailed)) {
      leaderWhenFailed = null;
      resends.dueNow(now);
    }
    ProducerBatch due = resends.due(now);
    if (due != null) {
      resend(due);
    }
    return true;
  }

  /** Sends {@code batches} (at most {@link #room()}) on the stream, opening it if there is none. */
  void send(List<ProducerBatch> batches) {
    if (stream == null) {
      String node = c.cluster().forShard(shard);
      stream = new Call(node, node.equals(c.cluster().leaderOf(shard)), null, 0);
      c.outcomes().streamOpened();
      c.calls().openStream(node, shard, stream);
    }
    for (ProducerBatch b : batches) {
      resends.assign(b);
      b.attempts.started(stream.node);
      b.sentNanos = c.clock().getAsLong();
      inflight.add(b);
      stream.requests.onNext(b.request(c.producerId()));
    }
  }

  /** Closes the stream, once everything is answered and the producer is closed. */
  void finish() {
    if (stream != null) {
      stream.requests.onCompleted();
      stream = null;
    }
  }

  /**
   * Closes the stream if nothing is in flight on it and it goes to a node that the cluster says
   * does not lead the shard (a relay through a follower): the next batches go straight to the
   * leader.
   */
  void leaveIdleRelay() {
    if (inflight.isEmpty() && stream != null && c.cluster().leadsNot(shard, stream.node)) {
      finish();
    }
  }

  /** What {@code call} reported: an answer, or its end ({@code failure}). */
  private void answered(Call call, ProduceResponse answer, Status failure) {
    if (call.batch != null) {
      onResendAnswer(call, answer, failure);
    } else if (failure == null) {
      onStreamAnswer(call, answer);
    } else {
      onStreamEnd(call, failure);
    }
  }

  private void onStreamAnswer(Call s, ProduceResponse answer) {
    if (s != stream) {
      return; // a stream already ended: its batches were handed to the resends then
    }
    ProducerBatch b = inflight.peek();
    if (b == null || answer.getSequence() != b.sequence || !b.answeredBy(answer)) {
      endStream(
          Status.INTERNAL.withDescription(
              "answer for sequence "
                  + answer.getSequence()
                  + " of shard "
                  + shard
                  + " does not match the batch"));
      return;
    }
    inflight.poll();
    resends.acknowledged();
    c.outcomes().succeeded(b, answer);
  }

  private void onStreamEnd(Call s, Status status) {
    if (s == stream) {
      stream = null;
      onStreamFailed(status);
    }
  }

  private void onResendAnswer(Call r, ProduceResponse answer, Status failure) {
    if (r != resend) {
      return; // an attempt abandoned as stalled: its outcome was settled then
    }
    resend = null;
    ProducerBatch b = r.batch;
    if (!resends.answered(b)) {
      return;
    }
    Status status = failure;
    if (status == null && !b.answeredBy(answer)) {
      status = Status.INTERNAL.withDescription("the answer does not match the batch");
    }
    long now = c.clock().getAsLong();
    LOG.debug(
        "shard {}: resend of sequence {} to {} answered after {} ms: {}",
        shard,
        b.sequence,
        r.node,
        TimeUnit.NANOSECONDS.toMillis(now - r.sentNanos),
        status == null ? "OK" : status.getCode() + " " + status.getDescription());
    if (status == null) {
      resends.resendSucceeded(now);
      c.outcomes().succeeded(b, answer);
    } else {
      failed();
      gaveUp(resends.resendFailed(b, status, now));
    }
  }

  private void checkStall(long now) {
    checkResendStall(now);
    ProducerBatch oldest = inflight.peek();
    if (oldest == null) {
      return;
    }
    if (now - oldest.sentNanos > attemptTimeout.toNanos()) {
      endStream(
          Status.DEADLINE_EXCEEDED.withDescription(
              "no answer from " + stream.node + " in " + attemptTimeout.toMillis() + " ms"));
    } else if (now - oldest.sentNanos > STALL_NANOS) {
      // Slow answers: ask the cluster who leads. A frozen leader (a long pause, a partition) has
      // been replaced by now, and its stream is abandoned without waiting for the attempt timeout.
      c.cluster().refresh();
      if (abandon(stream.node, stream.toLeader)) {
        endStream(
            Status.UNAVAILABLE.withDescription(
                stream.node
                    + " stalled and "
                    + c.cluster().leaderOf(shard)
                    + " leads shard "
                    + shard
                    + " now"));
        resends.dueNow(now); // the leader is known: no backoff
      }
    }
  }

  /**
   * A resend unanswered for a second, sent to a node that the cluster now says does not lead the
   * shard (or sent to a guess, see {@link #abandon}), is abandoned and goes to the leader: a node
   * cut off from its peers holds a forwarded call until the partition heals (or the attempt times
   * out), while the rest of the cluster has elected a leader long before. The abandoned attempt's
   * outcome is unknown, as after any failure: the next attempt carries the same sequence, so the
   * log appends the batch once.
   */
  private void checkResendStall(long now) {
    Call r = resend;
    if (r == null || now - r.sentNanos <= STALL_NANOS) {
      return;
    }
    c.cluster().refresh();
    if (!abandon(r.node, r.toLeader)) {
      return;
    }
    Status stalled =
        Status.UNAVAILABLE.withDescription(
            r.node
                + " stalled on a resend and "
                + c.cluster().leaderOf(shard)
                + " leads shard "
                + shard
                + " now");
    LOG.debug("shard {}: {}", shard, stalled.getDescription());
    resend = null;
    if (r.requests != null) {
      r.requests.cancel(stalled.getDescription(), null);
    }
    if (resends.answered(r.batch)) {
      failed();
      gaveUp(resends.resendFailed(r.batch, stalled, now));
      resends.dueNow(now); // the leader is known: no backoff
    }
  }

  /**
   * Whether a call to {@code node} unanswered for a second is abandoned for the shard's leader: the
   * cluster names a leader, and it is another node, or the call went to a node that was not known
   * to lead when it was sent (a guess while no leader was known). Such a node forwards the call to
   * the leader it knew, and a forward to a leader since cut off hangs until the partition heals,
   * even once the guessed node leads itself (a one-way cut held a resend 6.7 s that way).
   */
  private boolean abandon(String node, boolean sentToLeader) {
    return sentToLeader ? c.cluster().leadsNot(shard, node) : c.cluster().leaderOf(shard) != null;
  }

  private void endStream(Status status) {
    if (stream != null) {
      stream.requests.cancel(status.getDescription(), null);
      stream = null;
    }
    onStreamFailed(status);
  }

  /** An attempt failed: resends wait, and a leader other than the one known now ends the wait. */
  private void failed() {
    String leader = c.cluster().leaderOf(shard);
    leaderWhenFailed = leader == null ? "" : leader;
  }

  private void onStreamFailed(Status status) {
    failed();
    List<ProducerBatch> unanswered = List.copyOf(inflight);
    inflight.clear();
    gaveUp(resends.streamFailed(unanswered, status, c.clock().getAsLong()));
  }

  private void resend(ProducerBatch b) {
    String node = c.cluster().forShard(shard);
    boolean toLeader = node.equals(c.cluster().leaderOf(shard));
    b.attempts.started(node);
    long timeout = Math.min(attemptTimeout.toNanos(), b.attempts.remainingNanos());
    resends.resendStarted();
    Call r = new Call(node, toLeader, b, c.clock().getAsLong());
    resend = r;
    c.calls().produce(node, shard, b.request(c.producerId()), Math.max(timeout, 1), r);
  }

  private void gaveUp(ResendQueue.GivenUp givenUp) {
    if (givenUp != null) {
      c.outcomes().gaveUp(givenUp);
    }
  }

  /**
   * One call of this lane: its {@code ProduceStream} ({@code batch} null), or the unary resend of
   * {@code batch}. It only reports what happens, and the lane acts on the sender thread.
   */
  private final class Call implements ProduceCalls.Answers {
    final String node;
    final boolean toLeader; // node was the shard's known leader when this was sent
    final ProducerBatch batch;
    final long sentNanos;
    volatile ClientCallStreamObserver<ProduceRequest> requests;

    Call(String node, boolean toLeader, ProducerBatch batch, long sentNanos) {
      this.node = node;
      this.toLeader = toLeader;
      this.batch = batch;
      this.sentNanos = sentNanos;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ProduceRequest> requestStream) {
      this.requests = requestStream;
    }

    @Override
    public void onNext(ProduceResponse value) {
      c.events().execute(() -> answered(this, value, null));
    }

    @Override
    public void onError(Throwable t) {
      // Caused by the call's exception: a batch that fails for good keeps it, trailers and all, in
      // its RaftlogException's causes (e.g. the stream's next offset, for ExpectedOffsetMismatch).
      Status status = Status.fromThrowable(t).withCause(t);
      c.events().execute(() -> answered(this, null, status));
    }

    @Override
    public void onCompleted() {
      if (batch == null) { // a unary call completes after its answer, which said it all
        Status ended = Status.UNAVAILABLE.withDescription(node + " ended the stream");
        c.events().execute(() -> answered(this, null, ended));
      }
    }
  }
}
