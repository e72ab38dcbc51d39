package io.raftlog.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.StreamOffsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender thread of a {@link Producer}. For each shard it has a {@link Lane}: it drains that
 * shard's sealed batches from the {@link RecordAccumulator} onto one {@code ProduceStream} to the
 * shard's leader, up to the in-flight limit, checks each answer against the oldest batch in flight,
 * abandons a stream or a resend that stalls, and after a stream failure resends the unanswered
 * batches one at a time as the lane's {@link ResendQueue} says. Lanes are independent: a leader
 * change in one shard ends and resends only that shard's batches, with their own sequences, while
 * the other shards' streams go on.
 *
 * <p>All of that state is the sender thread's alone. gRPC's threads only queue what happened (an
 * answer, a stream's end) as events for it, and callers only wake it. Batch futures complete on a
 * separate callbacks thread, in each shard's send order, so a callback that blocks or sends again
 * cannot stall the sender.
 */
final class Sender {
  private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
  private static final Object WAKE = new Object();
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

  private final ClientOptions options;
  private final LeaderAwareChannel cluster;
  private final Backoff backoff;
  private final RecordAccumulator accumulator;
  private final long producerId;
  private final Thread thread;
  private final ExecutorService callbacks;
  private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();

  // The sender thread's alone.
  private final Map<Integer, Lane> lanes = new HashMap<>();
  private volatile int streamsOpened;

  Sender(
      ClientOptions options,
      LeaderAwareChannel cluster,
      Backoff backoff,
      RecordAccumulator accumulator,
      long producerId) {
    this.options = options;
    this.cluster = cluster;
    this.backoff = backoff;
    this.accumulator = accumulator;
    this.producerId = producerId;
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

  /** ProduceStreams opened so far, over all shards; read by tests. */
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

  private Lane lane(int shard) {
    return lanes.computeIfAbsent(shard, Lane::new);
  }

  /** How many more batches of {@code shard} may go now: none while its resends are pending. */
  private int room(int shard) {
    Lane lane = lanes.get(shard);
    if (lane == null) {
      return options.maxInFlight();
    }
    return lane.resends.isEmpty() ? options.maxInFlight() - lane.inflight.size() : 0;
  }

  private long nanosToNextDuty() {
    long now = System.nanoTime();
    long wait = IDLE_WAIT_NANOS;
    for (Lane lane : lanes.values()) {
      wait = Math.min(wait, lane.resends.nanosToNextResend(now));
    }
    // A lingering batch matters only once it could be sent; until then an answer wakes us.
    wait = Math.min(wait, accumulator.nanosToLingerEnd(now, shard -> room(shard) > 0));
    return Math.max(0, wait);
  }

  private void handle(Object event) {
    if (event instanceof StreamAnswer a) {
      Lane lane = a.stream.lane;
      if (a.stream != lane.stream) {
        return;
      }
      ProducerBatch b = lane.inflight.peek();
      if (b == null || a.response.getSequence() != b.sequence || !matches(b, a.response)) {
        endStream(
            lane,
            Status.INTERNAL.withDescription(
                "answer for sequence "
                    + a.response.getSequence()
                    + " of shard "
                    + lane.shard
                    + " does not match the batch"));
        return;
      }
      lane.inflight.poll();
      lane.resends.acknowledged();
      succeed(b, a.response);
    } else if (event instanceof StreamEnd e) {
      Lane lane = e.stream.lane;
      if (e.stream == lane.stream) {
        lane.stream = null;
        onStreamFailed(lane, e.status);
      }
    } else if (event instanceof ResendAnswer u) {
      Lane lane = u.resend.lane;
      if (u.resend != lane.resend) {
        return; // an attempt abandoned as stalled: its outcome was settled then
      }
      lane.resend = null;
      ProducerBatch b = u.resend.batch;
      if (!lane.resends.answered(b)) {
        return;
      }
      Status status = u.status;
      if (status == null && !matches(b, u.response)) {
        status = Status.INTERNAL.withDescription("the answer does not match the batch");
      }
      LOG.debug(
          "shard {}: resend of sequence {} to {} answered after {} ms: {}",
          lane.shard,
          b.sequence,
          u.resend.node,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - u.resend.sentNanos),
          status == null ? "OK" : status.getCode() + " " + status.getDescription());
      if (status == null) {
        lane.resends.resendSucceeded(System.nanoTime());
        succeed(b, u.response);
      } else {
        fail(lane.resends.resendFailed(b, status, System.nanoTime()));
      }
    }
  }

  /** Whether {@code response} answers {@code b}: one appended entry per part, of its size. */
  static boolean matches(ProducerBatch b, ProduceResponse response) {
    if (response.getAppendedCount() == 0) {
      // An answer that lists no parts: only a one-part batch can be matched.
      return b.parts.size() == 1 && response.getRecordCount() == b.recordCount;
    }
    if (response.getAppendedCount() != b.parts.size()) {
      return false;
    }
    int i = 0;
    for (ProducerBatch.Part p : b.parts.values()) {
      StreamOffsets o = response.getAppended(i++);
      if (o.getRecordCount() != p.records.size()
          || (!o.getStream().isEmpty() && !o.getStream().equals(p.stream))) {
        return false;
      }
    }
    return true;
  }

  /** One round of duties; true once closed and everything is answered. */
  private boolean step() {
    long now = System.nanoTime();
    boolean busy = false;
    for (Lane lane : lanes.values()) {
      checkStall(lane, now);
      if (!lane.resends.isEmpty()) {
        busy = true;
        ProducerBatch due = lane.resends.due(now);
        if (due != null) {
          resend(lane, due);
        }
      }
    }
    List<ProducerBatch> toSend = accumulator.drain(this::room, now);
    Map<Integer, List<ProducerBatch>> byShard = new LinkedHashMap<>();
    for (ProducerBatch b : toSend) {
      byShard.computeIfAbsent(b.shard, s -> new ArrayList<>()).add(b);
    }
    byShard.forEach((shard, batches) -> sendOnStream(lane(shard), batches));
    for (Lane lane : lanes.values()) {
      busy |= !lane.inflight.isEmpty();
    }
    if (!busy && toSend.isEmpty() && accumulator.closedAndEmpty()) {
      for (Lane lane : lanes.values()) {
        if (lane.stream != null) {
          lane.stream.requests.onCompleted();
          lane.stream = null;
        }
      }
      return true;
    }
    for (Lane lane : lanes.values()) {
      if (lane.inflight.isEmpty()
          && lane.stream != null
          && !byShard.containsKey(lane.shard)
          && isNotLeader(lane.shard, lane.stream.node)) {
        // Idle on a relay through a follower: the next batches go straight to the leader.
        lane.stream.requests.onCompleted();
        lane.stream = null;
      }
    }
    return false;
  }

  private void checkStall(Lane lane, long now) {
    checkResendStall(lane, now);
    ProducerBatch oldest = lane.inflight.peek();
    if (oldest == null) {
      return;
    }
    if (now - oldest.sentNanos > options.attemptTimeout().toNanos()) {
      endStream(
          lane,
          Status.DEADLINE_EXCEEDED.withDescription(
              "no answer from "
                  + lane.stream.node
                  + " in "
                  + options.attemptTimeout().toMillis()
                  + " ms"));
    } else if (now - oldest.sentNanos > STALL_NANOS) {
      // Slow answers: ask the cluster who leads. A frozen leader (a long pause, a partition) has
      // been replaced by now, and its stream is abandoned without waiting for the attempt timeout.
      cluster.refresh();
      if (abandon(lane.shard, lane.stream.node, lane.stream.toLeader)) {
        endStream(
            lane,
            Status.UNAVAILABLE.withDescription(
                lane.stream.node
                    + " stalled and "
                    + cluster.leaderOf(lane.shard)
                    + " leads shard "
                    + lane.shard
                    + " now"));
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
  private void checkResendStall(Lane lane, long now) {
    Resend r = lane.resend;
    if (r == null || now - r.sentNanos <= STALL_NANOS) {
      return;
    }
    cluster.refresh();
    if (!abandon(lane.shard, r.node, r.toLeader)) {
      return;
    }
    Status stalled =
        Status.UNAVAILABLE.withDescription(
            r.node
                + " stalled on a resend and "
                + cluster.leaderOf(lane.shard)
                + " leads shard "
                + lane.shard
                + " now");
    LOG.debug("shard {}: {}", lane.shard, stalled.getDescription());
    lane.resend = null;
    if (r.call != null) {
      r.call.cancel(stalled.getDescription(), null);
    }
    if (lane.resends.answered(r.batch)) {
      fail(lane.resends.resendFailed(r.batch, stalled, now));
    }
  }

  /**
   * Whether a call to {@code node} unanswered for a second is abandoned for the shard's leader: the
   * cluster names a leader, and it is another node, or the call went to a node that was not known
   * to lead when it was sent (a guess while no leader was known). Such a node forwards the call to
   * the leader it knew, and a forward to a leader since cut off hangs until the partition heals,
   * even once the guessed node leads itself (a one-way cut held a resend 6.7 s that way).
   */
  private boolean abandon(int shard, String node, boolean sentToLeader) {
    return sentToLeader ? isNotLeader(shard, node) : cluster.leaderOf(shard) != null;
  }

  private boolean isNotLeader(int shard, String node) {
    String leader = cluster.leaderOf(shard);
    return leader != null && !leader.equals(node);
  }

  private void sendOnStream(Lane lane, List<ProducerBatch> batches) {
    if (lane.stream == null) {
      String node = cluster.forShard(lane.shard);
      lane.stream = new Stream(lane, node, node.equals(cluster.leaderOf(lane.shard)));
      streamsOpened++;
      cluster.async(node, lane.shard).produceStream(lane.stream);
    }
    for (ProducerBatch b : batches) {
      lane.resends.assign(b);
      b.attempts.started(lane.stream.node);
      b.sentNanos = System.nanoTime();
      lane.inflight.add(b);
      lane.stream.requests.onNext(b.request(producerId));
    }
  }

  private void endStream(Lane lane, Status status) {
    if (lane.stream != null) {
      lane.stream.requests.cancel(status.getDescription(), null);
      lane.stream = null;
    }
    onStreamFailed(lane, status);
  }

  private void onStreamFailed(Lane lane, Status status) {
    List<ProducerBatch> unanswered = List.copyOf(lane.inflight);
    lane.inflight.clear();
    fail(lane.resends.streamFailed(unanswered, status, System.nanoTime()));
  }

  private void resend(Lane lane, ProducerBatch b) {
    String node = cluster.forShard(lane.shard);
    boolean toLeader = node.equals(cluster.leaderOf(lane.shard));
    b.attempts.started(node);
    long timeout = Math.min(options.attemptTimeout().toNanos(), b.attempts.remainingNanos());
    lane.resends.resendStarted();
    Resend r = new Resend(lane, b, node, toLeader, System.nanoTime());
    lane.resend = r;
    cluster
        .async(node, lane.shard)
        .withDeadlineAfter(Math.max(timeout, 1), TimeUnit.NANOSECONDS)
        .produce(b.request(producerId), r);
  }

  private void succeed(ProducerBatch b, ProduceResponse response) {
    accumulator.release(b.bytes);
    callbacks.execute(
        () -> {
          int i = 0;
          for (ProducerBatch.Part p : b.parts.values()) {
            long base =
                response.getAppendedCount() == 0
                    ? response.getBaseOffset()
                    : response.getAppended(i).getBaseOffset();
            i++;
            for (int j = 0; j < p.offsets.size(); j++) {
              p.offsets.get(j).complete(base + j);
            }
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
          b.offsets().forEach(f -> f.completeExceptionally(e));
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

  private record ResendAnswer(Resend resend, ProduceResponse response, Status status) {}

  /** One shard's batches in flight, its resends and sequences, and its stream. */
  private final class Lane {
    final int shard;
    final ArrayDeque<ProducerBatch> inflight = new ArrayDeque<>();
    final ResendQueue resends = new ResendQueue(options.deadline(), backoff);
    Stream stream;
    Resend resend; // the resend in flight, if any

    Lane(int shard) {
      this.shard = shard;
    }
  }

  /** One attempt to resend a batch, as a unary call; it only queues its answer, the sender acts. */
  private final class Resend implements ClientResponseObserver<ProduceRequest, ProduceResponse> {
    final Lane lane;
    final ProducerBatch batch;
    final String node;
    final boolean toLeader; // node was the shard's known leader when this was sent
    final long sentNanos;
    volatile ClientCallStreamObserver<ProduceRequest> call;

    Resend(Lane lane, ProducerBatch batch, String node, boolean toLeader, long sentNanos) {
      this.lane = lane;
      this.batch = batch;
      this.node = node;
      this.toLeader = toLeader;
      this.sentNanos = sentNanos;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ProduceRequest> requestStream) {
      this.call = requestStream;
    }

    @Override
    public void onNext(ProduceResponse value) {
      events.add(new ResendAnswer(this, value, null));
    }

    @Override
    public void onError(Throwable t) {
      events.add(new ResendAnswer(this, null, withTrailers(t)));
    }

    @Override
    public void onCompleted() {}
  }

  /**
   * The status a call failed with, caused by the call's exception: a batch that fails for good
   * keeps it in its {@link RaftlogException}'s causes, with the trailers' status details (e.g. the
   * stream's next offset, read by {@code ExpectedOffsetMismatch.of}).
   */
  private static Status withTrailers(Throwable t) {
    return Status.fromThrowable(t).withCause(t);
  }

  /** One ProduceStream of one shard; it only queues what happens, the sender acts. */
  private final class Stream implements ClientResponseObserver<ProduceRequest, ProduceResponse> {
    final Lane lane;
    final String node;
    final boolean toLeader; // node was the shard's known leader when this was opened
    ClientCallStreamObserver<ProduceRequest> requests;

    Stream(Lane lane, String node, boolean toLeader) {
      this.lane = lane;
      this.node = node;
      this.toLeader = toLeader;
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
      events.add(new StreamEnd(this, withTrailers(t)));
    }

    @Override
    public void onCompleted() {
      events.add(
          new StreamEnd(this, Status.UNAVAILABLE.withDescription(node + " ended the stream")));
    }
  }
}
