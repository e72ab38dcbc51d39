package io.raftlog.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.api.v1.Record;
import io.raftlog.wire.WireLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tail of one stream from an offset. Records arrive in offset order as they commit; when the node
 * serving the call fails, the subscription opens a new call on another node (the stream's shard
 * leader if the client knows a healthy one, else any healthy node) from the next offset it has not
 * yet handed out, so the caller sees no gap and no duplicate. It gives up (and {@link #poll}
 * throws) only when no node has served it for the client's whole deadline.
 *
 * <p>Below the stream's first offset (retention or a truncation removed the records, also while it
 * reads) it follows its {@link SubscribeOptions#reset()} policy, which the server applies: with
 * {@code OFFSET_RESET_FAIL} {@link #poll} throws {@code OUT_OF_RANGE} with the server's message;
 * with {@code EARLIEST} or {@code LATEST} the records skip ahead and {@link #position()} with them.
 * Reconnects keep the policy and go on from the offset reached. A named consumer's subscription
 * also commits (see {@link SubscribeOptions#withConsumer}).
 *
 * <p>Pull-based and flow-controlled: the server sends a response only while fewer than four are
 * waiting to be polled, so a slow caller holds at most four responses (~4 MiB) in memory. Use it
 * from one thread (its commits run there too).
 */
public final class Subscription implements AutoCloseable {
  /** Responses (of up to 1 MiB) requested ahead of the caller, like a consumer's fetch-ahead. */
  private static final int AHEAD = 4;

  private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);

  private final SubscribeOptions how;
  private final StreamAdmin streams; // the client's: asked where a stream begins
  private final ConsumerCommits commits; // null unless a named consumer's
  private final ClientOptions options;
  private final NodeChannels channels;
  private final Backoff backoff;
  private final LinkedBlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();

  private final String name;
  private final long start;
  private final OffsetReset firstReset; // the policy until a record came
  private long received; // the offset of the next record to come from the server
  private List<Record> ready = new ArrayList<>(); // received, not yet handed out
  private int readyAt;
  private Stream stream;
  private Attempts attempts;
  private long reconnectAtNanos;
  private boolean closed;

  Subscription(
      String name,
      long offset,
      OffsetReset firstReset,
      SubscribeOptions how,
      StreamAdmin streams,
      ConsumerCommits commits,
      ClientOptions options,
      NodeChannels channels,
      Backoff backoff) {
    this.name = name;
    this.start = offset;
    this.firstReset = firstReset;
    this.received = offset;
    this.how = how;
    this.streams = streams;
    this.commits = commits;
    this.options = options;
    this.channels = channels;
    this.backoff = backoff;
  }

  /** The stream this subscription follows. */
  public String stream() {
    return name;
  }

  /** The named consumer this subscription commits for, or null. */
  public String consumer() {
    return commits == null ? null : commits.consumer();
  }

  /** The offset of the next record {@link #poll} will return. */
  public long position() {
    return readyAt < ready.size() ? ready.get(readyAt).getOffset() : received;
  }

  /**
   * A named consumer's subscription commits {@link #position()} now: every record {@link #poll}
   * handed out so far counts as processed. Nothing happens when that is already committed.
   *
   * @throws IllegalStateException if this is not a named consumer's subscription
   * @throws RaftlogException if the commit failed: {@code FAILED_PRECONDITION} if the consumer's
   *     committed offset is past this subscription's position (then this subscription commits no
   *     more), {@code DEADLINE_EXCEEDED} if no leader took it in time (try again)
   */
  public void commit() {
    if (commits == null) {
      throw new IllegalStateException("subscription to " + name + " has no consumer to commit");
    }
    commits.commit(position());
  }

  /** {@link #poll(Duration, int)} of any number of records. */
  public List<Record> poll(Duration timeout) {
    return poll(timeout, Integer.MAX_VALUE);
  }

  /**
   * The next records in offset order, at most {@code max}, waiting up to {@code timeout} for at
   * least one; an empty list when none came in time. A named consumer's subscription first commits
   * what earlier polls handed out, once its commit interval has passed.
   *
   * @throws RaftlogException when no node could serve the subscription within the deadline, the
   *     offset is past the end of the stream or, with {@code OFFSET_RESET_FAIL}, below its first
   *     offset ({@code OUT_OF_RANGE}), or a commit was refused ({@code FAILED_PRECONDITION})
   */
  public List<Record> poll(Duration timeout, int max) {
    if (closed) {
      throw new IllegalStateException("subscription is closed");
    }
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1, got " + max);
    }
    if (commits != null) {
      commits.atPoll(position());
    }
    if (readyAt < ready.size()) {
      return take(max);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (stream == null) {
        long now = System.nanoTime();
        if (now < reconnectAtNanos) {
          if (reconnectAtNanos >= deadline) {
            sleepUntil(deadline);
            return List.of();
          }
          sleepUntil(reconnectAtNanos);
        }
        open();
      }
      Object next;
      try {
        next = arrivals.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RaftlogException(Status.Code.CANCELLED, "interrupted while polling", e);
      }
      if (next == null) {
        return List.of();
      }
      handle(next);
      if (readyAt < ready.size()) {
        return take(max);
      }
      if (System.nanoTime() >= deadline) {
        return List.of();
      }
    }
  }

  /** Hands out up to {@code max} of the records received. */
  private List<Record> take(int max) {
    int n = Math.min(max, ready.size() - readyAt);
    List<Record> out = List.copyOf(ready.subList(readyAt, readyAt + n));
    readyAt += n;
    if (readyAt == ready.size()) {
      ready = new ArrayList<>();
      readyAt = 0;
    }
    return out;
  }

  private void handle(Object next) {
    if (next instanceof Arrival a) {
      if (a.stream != stream) {
        return; // from a stream given up on already
      }
      stream.call.request(1);
      attempts = null; // the stream works: a later failure starts a fresh deadline
      for (Record r : a.response.getRecordsList()) {
        if (r.getOffset() < received) {
          continue; // already received (a resumed stream never does this, but never repeat)
        }
        if (r.getOffset() > received) {
          if (a.stream.reset == OffsetReset.OFFSET_RESET_FAIL) {
            throw new RaftlogException(
                Status.Code.DATA_LOSS,
                "stream "
                    + name
                    + " skipped from offset "
                    + received
                    + " to "
                    + r.getOffset()
                    + " on "
                    + a.node,
                null);
          }
          // The records were gone (retention, a truncation): the server applied the policy.
          LOG.info(
              "stream {}: offsets {} to {} were removed; going on from {} ({})",
              name,
              received,
              r.getOffset() - 1,
              r.getOffset(),
              a.stream.reset);
          received = r.getOffset();
        }
        ready.add(r);
        received++;
      }
      return;
    }
    Ended e = (Ended) next;
    if (e.stream != stream) {
      return;
    }
    stream = null;
    if (attempts == null) {
      attempts =
          new Attempts(
              "subscription to stream " + name + " at offset " + received,
              options.get(ClientSettings.DEADLINE),
              backoff);
    }
    attempts.started(e.node);
    Status status = e.status;
    if (status.getCode() == Status.Code.OUT_OF_RANGE
        && received > start
        && !(e.reset == OffsetReset.OFFSET_RESET_FAIL && belowFirstOffset())) {
      // Resumed on a node that has not applied what another node already delivered: wait for it.
      status =
          Status.UNAVAILABLE.withDescription(e.node + " is behind: " + status.getDescription());
    }
    long wait = attempts.nanosBeforeRetry(status);
    if (wait < 0) {
      throw attempts.giveUp();
    }
    reconnectAtNanos = System.nanoTime() + wait;
  }

  /**
   * Whether an OUT_OF_RANGE of a resumed stream means its position is below the stream's first
   * offset (the records are gone) rather than past a lagging node's end: asked of the shard leader.
   */
  private boolean belowFirstOffset() {
    try {
      return streams.describe(name).getFirstOffset() > received;
    } catch (RaftlogException e) {
      return false; // cannot tell: treat it as a lagging node, retried until the deadline
    }
  }

  private void open() {
    int shard = channels.view().shardOf(name);
    String node = channels.view().forShard(shard);
    OffsetReset reset = received == start ? firstReset : how.reset();
    Stream s = new Stream(node, reset);
    stream = s;
    channels
        .async(node, shard)
        .consumeStream(
            ConsumeRequest.newBuilder()
                .setStream(name)
                .setOffset(received)
                .setReset(reset)
                .setConsistency(how.consistency())
                .setMaxRecords(WireLimits.MAX_RECORDS)
                .build(),
            s);
  }

  private static void sleepUntil(long nanoTime) {
    UnaryCalls.sleep(Math.max(0, nanoTime - System.nanoTime()));
  }

  /**
   * Stops the stream; records not yet polled are dropped. A named consumer's subscription then
   * commits {@link #position()} (unless a commit was refused before).
   *
   * @throws RaftlogException if that commit failed (the stream is stopped anyway)
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (stream != null) {
      stream.call.cancel("subscription closed", null);
      stream = null;
    }
    if (commits != null) {
      try {
        commits.check();
      } catch (RaftlogException refusedBefore) {
        return; // thrown to the caller already
      }
      commits.commit(position());
    }
  }

  private record Arrival(Stream stream, String node, ConsumeResponse response) {}

  private record Ended(Stream stream, String node, OffsetReset reset, Status status) {}

  /** One ConsumeStream call on one node; it only queues what happens, {@link #poll} acts. */
  private final class Stream implements ClientResponseObserver<ConsumeRequest, ConsumeResponse> {
    private final String node;
    private final OffsetReset reset; // the policy this call asked the server for
    private ClientCallStreamObserver<ConsumeRequest> call;

    Stream(String node, OffsetReset reset) {
      this.node = node;
      this.reset = reset;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ConsumeRequest> requestStream) {
      this.call = requestStream;
      requestStream.disableAutoRequestWithInitial(AHEAD);
    }

    @Override
    public void onNext(ConsumeResponse value) {
      arrivals.add(new Arrival(this, node, value));
    }

    @Override
    public void onError(Throwable t) {
      arrivals.add(new Ended(this, node, reset, Status.fromThrowable(t)));
    }

    @Override
    public void onCompleted() {
      arrivals.add(
          new Ended(
              this, node, reset, Status.UNAVAILABLE.withDescription("the node ended the stream")));
    }
  }
}
