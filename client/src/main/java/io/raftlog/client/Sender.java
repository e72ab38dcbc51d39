package io.raftlog.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender thread of a {@link Producer}: it drains sealed batches from the {@link
 * RecordAccumulator} onto one {@code ProduceStream} to the leader, up to the in-flight limit,
 * checks each answer against the oldest batch in flight, abandons a stream that stalls, and after a
 * stream failure resends the unanswered batches one at a time as its {@link ResendQueue} says.
 *
 * <p>All of that state is the sender thread's alone. gRPC's threads only queue what happened (an
 * answer, a stream's end) as events for it, and callers only wake it. Batch futures complete on a
 * separate callbacks thread, in send order, so a callback that blocks or sends again cannot stall
 * the sender.
 */
final class Sender {
  private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
  private static final Object WAKE = new Object();
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

  private final ClientOptions options;
  private final LeaderAwareChannel cluster;
  private final RecordAccumulator accumulator;
  private final long producerId;
  private final Thread thread;
  private final ExecutorService callbacks;
  private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();

  // The sender thread's alone.
  private final ArrayDeque<ProducerBatch> inflight = new ArrayDeque<>();
  private final ResendQueue resends;
  private Stream stream;
  private int streamsOpened;

  Sender(
      ClientOptions options,
      LeaderAwareChannel cluster,
      Backoff backoff,
      RecordAccumulator accumulator,
      long producerId) {
    this.options = options;
    this.cluster = cluster;
    this.accumulator = accumulator;
    this.producerId = producerId;
    this.resends = new ResendQueue(options.deadline(), backoff);
    String id = Long.toHexString(producerId);
    this.callbacks =
        Executors.newSingleThreadExecutor(r -> daemon(r, "raftlog-producer-callbacks-" + id));
    this.thread = daemon(this::run, "raftlog-producer-" + id);
  }

  void start() {
    thread.start();
  }

  /** Any thread: have the sender look at the accumulator again. */
  void wake() {
    events.add(WAKE);
  }

  /**
   * A caller thread, after {@link RecordAccumulator#close}: waits up to {@code timeoutMillis} for
   * the sender to finish what is buffered and stop, then stops the callbacks thread once it has run
   * what is queued.
   */
  void awaitStop(long timeoutMillis) {
    wake();
    try {
      thread.join(timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    callbacks.shutdown();
  }

  /** ProduceStreams opened so far; read by tests. */
  int streamsOpened() {
    return streamsOpened;
  }

  private void run() {
    while (true) {
      try {
        Object event = events.poll(nanosToNextDuty(), TimeUnit.NANOSECONDS);
        while (event != null) {
          handle(event);
          event = events.poll();
        }
        if (step()) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("producer sender failed; continuing", e);
      }
    }
  }

  private long nanosToNextDuty() {
    long now = System.nanoTime();
    long wait = Math.min(IDLE_WAIT_NANOS, resends.nanosToNextResend(now));
    // A lingering batch matters only once it could be sent; until then an answer wakes us.
    if (resends.isEmpty() && inflight.size() < options.maxInFlight()) {
      wait = Math.min(wait, accumulator.nanosToLingerEnd(now));
    }
    return Math.max(0, wait);
  }

  private void handle(Object event) {
    if (event instanceof StreamAnswer a) {
      if (a.stream != stream) {
        return;
      }
      ProducerBatch b = inflight.peek();
      if (b == null
          || a.response.getSequence() != b.sequence
          || a.response.getRecordCount() != b.records.size()) {
        endStream(
            Status.INTERNAL.withDescription(
                "answer for sequence " + a.response.getSequence() + " does not match the batch"));
        return;
      }
      inflight.poll();
      resends.acknowledged();
      succeed(b, a.response);
    } else if (event instanceof StreamEnd e) {
      if (e.stream == stream) {
        stream = null;
        onStreamFailed(e.status);
      }
    } else if (event instanceof ResendAnswer u) {
      if (!resends.answered(u.batch)) {
        return;
      }
      if (u.status == null) {
        resends.resendSucceeded(System.nanoTime());
        succeed(u.batch, u.response);
      } else {
        fail(resends.resendFailed(u.batch, u.status, System.nanoTime()));
      }
    }
  }

  /** One round of duties; true once closed and everything is answered. */
  private boolean step() {
    long now = System.nanoTime();
    ProducerBatch oldest = inflight.peek();
    if (oldest != null && now - oldest.sentNanos > options.attemptTimeout().toNanos()) {
      endStream(
          Status.DEADLINE_EXCEEDED.withDescription(
              "no answer from "
                  + stream.node
                  + " in "
                  + options.attemptTimeout().toMillis()
                  + " ms"));
    } else if (oldest != null && now - oldest.sentNanos > STALL_NANOS) {
      // Slow answers: ask the cluster who leads. A frozen leader (a long pause, a partition) has
      // been replaced by now, and its stream is abandoned without waiting for the attempt timeout.
      cluster.refresh();
      if (isNotLeader(stream.node)) {
        endStream(
            Status.UNAVAILABLE.withDescription(
                stream.node + " stalled and " + cluster.leader() + " leads now"));
      }
    }
    if (!resends.isEmpty()) {
      ProducerBatch due = resends.due(now);
      if (due != null) {
        resend(due);
      }
      return false;
    }
    List<ProducerBatch> toSend = accumulator.drain(options.maxInFlight() - inflight.size(), now);
    if (toSend.isEmpty() && inflight.isEmpty() && accumulator.closedAndEmpty()) {
      if (stream != null) {
        stream.requests.onCompleted();
        stream = null;
      }
      return true;
    }
    if (!toSend.isEmpty()) {
      sendOnStream(toSend);
    } else if (inflight.isEmpty() && stream != null && isNotLeader(stream.node)) {
      // Idle on a relay through a follower: the next batches go straight to the leader.
      stream.requests.onCompleted();
      stream = null;
    }
    return false;
  }

  private boolean isNotLeader(String node) {
    String leader = cluster.leader();
    return leader != null && !leader.equals(node);
  }

  private void sendOnStream(List<ProducerBatch> batches) {
    if (stream == null) {
      String node = cluster.forWrite();
      stream = new Stream(node);
      streamsOpened++;
      cluster.async(node).produceStream(stream);
    }
    for (ProducerBatch b : batches) {
      resends.assign(b);
      b.attempts.started(stream.node);
      b.sentNanos = System.nanoTime();
      inflight.add(b);
      stream.requests.onNext(b.request(producerId));
    }
  }

  private void endStream(Status status) {
    if (stream != null) {
      stream.requests.cancel(status.getDescription(), null);
      stream = null;
    }
    onStreamFailed(status);
  }

  private void onStreamFailed(Status status) {
    List<ProducerBatch> unanswered = List.copyOf(inflight);
    inflight.clear();
    fail(resends.streamFailed(unanswered, status, System.nanoTime()));
  }

  private void resend(ProducerBatch b) {
    String node = cluster.forWrite();
    b.attempts.started(node);
    long timeout = Math.min(options.attemptTimeout().toNanos(), b.attempts.remainingNanos());
    resends.resendStarted();
    cluster
        .async(node)
        .withDeadlineAfter(Math.max(timeout, 1), TimeUnit.NANOSECONDS)
        .produce(
            b.request(producerId),
            new StreamObserver<>() {
              @Override
              public void onNext(ProduceResponse value) {
                events.add(new ResendAnswer(b, value, null));
              }

              @Override
              public void onError(Throwable t) {
                events.add(new ResendAnswer(b, null, Status.fromThrowable(t)));
              }

              @Override
              public void onCompleted() {}
            });
  }

  private void succeed(ProducerBatch b, ProduceResponse response) {
    accumulator.release(b.bytes);
    callbacks.execute(
        () -> {
          for (int i = 0; i < b.offsets.size(); i++) {
            b.offsets.get(i).complete(response.getBaseOffset() + i);
          }
          b.done.complete(null);
        });
  }

  /** Fails the futures of a batch the resend rules gave up on, if they did. */
  private void fail(ResendQueue.GivenUp givenUp) {
    if (givenUp == null) {
      return;
    }
    ProducerBatch b = givenUp.batch();
    RaftlogException e = givenUp.error();
    accumulator.release(b.bytes);
    callbacks.execute(
        () -> {
          b.offsets.forEach(f -> f.completeExceptionally(e));
          b.done.complete(null);
        });
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private record StreamAnswer(Stream stream, ProduceResponse response) {}

  private record StreamEnd(Stream stream, Status status) {}

  private record ResendAnswer(ProducerBatch batch, ProduceResponse response, Status status) {}

  /** One ProduceStream; it only queues what happens, the sender acts. */
  private final class Stream implements ClientResponseObserver<ProduceRequest, ProduceResponse> {
    final String node;
    ClientCallStreamObserver<ProduceRequest> requests;

    Stream(String node) {
      this.node = node;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ProduceRequest> requestStream) {
      this.requests = requestStream;
    }

    @Override
    public void onNext(ProduceResponse value) {
      events.add(new StreamAnswer(this, value));
    }

    @Override
    public void onError(Throwable t) {
      events.add(new StreamEnd(this, Status.fromThrowable(t)));
    }

    @Override
    public void onCompleted() {
      events.add(
          new StreamEnd(this, Status.UNAVAILABLE.withDescription(node + " ended the stream")));
    }
  }
}
