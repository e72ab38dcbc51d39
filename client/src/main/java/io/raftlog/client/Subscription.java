package io.raftlog.client;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.wire.WireLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A tail of one stream from an offset. Records arrive in offset order as they commit; when the node
 * serving the call fails, the subscription opens a new call on another node (the stream's shard
 * leader if the client knows a healthy one, else any healthy node) from the next offset it has not
 * yet handed out, so the caller sees no gap and no duplicate. It gives up (and {@link #poll}
 * throws) only when no node has served it for the client's whole deadline.
 *
 * <p>Pull-based and flow-controlled: the server sends a response only while fewer than four are
 * waiting to be polled, so a slow caller holds at most four responses (~4 MiB) in memory. Use it
 * from one thread.
 */
public final class Subscription implements AutoCloseable {
  /** Responses (of up to 1 MiB) requested ahead of the caller, like a consumer's fetch-ahead. */
  private static final int AHEAD = 4;

  /** Records asked for per response: the server's most (it also caps a response at ~4 MiB). */
  private final Consistency consistency;

  private final ClientOptions options;
  private final NodeChannels channels;
  private final Backoff backoff;
  private final LinkedBlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();

  private final String name;
  private final long start;
  private long position;
  private Stream stream;
  private Attempts attempts;
  private long reconnectAtNanos;
  private boolean closed;

  Subscription(
      String name,
      long offset,
      Consistency consistency,
      ClientOptions options,
      NodeChannels channels,
      Backoff backoff) {
    this.name = name;
    this.start = offset;
    this.position = offset;
    this.consistency = consistency;
    this.options = options;
    this.channels = channels;
    this.backoff = backoff;
  }

  /** The stream this subscription follows. */
  public String stream() {
    return name;
  }

  /** The offset of the next record {@link #poll} will return. */
  public long position() {
    return position;
  }

  /**
   * The next records in offset order, waiting up to {@code timeout} for at least one; an empty list
   * when none came in time.
   *
   * @throws RaftlogException when no node could serve the subscription within the deadline, or the
   *     offset is past the end of the stream ({@code OUT_OF_RANGE})
   */
  public List<Record> poll(Duration timeout) {
    if (closed) {
      throw new IllegalStateException("subscription is closed");
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
      List<Record> records = handle(next);
      if (!records.isEmpty()) {
        return records;
      }
      if (System.nanoTime() >= deadline) {
        return List.of();
      }
    }
  }

  private List<Record> handle(Object next) {
    if (next instanceof Arrival a) {
      if (a.stream != stream) {
        return List.of(); // from a stream given up on already
      }
      stream.call.request(1);
      attempts = null; // the stream works: a later failure starts a fresh deadline
      List<Record> fresh = new ArrayList<>(a.response.getRecordsCount());
      for (Record r : a.response.getRecordsList()) {
        if (r.getOffset() < position) {
          continue; // already handed out (a resumed stream never does this, but never repeat)
        }
        if (r.getOffset() > position) {
          throw new RaftlogException(
              Status.Code.DATA_LOSS,
              "stream "
                  + name
                  + " skipped from offset "
                  + position
                  + " to "
                  + r.getOffset()
                  + " on "
                  + a.node,
              null);
        }
        fresh.add(r);
        position++;
      }
      return fresh;
    }
    Ended e = (Ended) next;
    if (e.stream != stream) {
      return List.of();
    }
    stream = null;
    if (attempts == null) {
      attempts =
          new Attempts(
              "subscription to stream " + name + " at offset " + position,
              options.get(ClientSettings.DEADLINE),
              backoff);
    }
    attempts.started(e.node);
    Status status = e.status;
    if (status.getCode() == Status.Code.OUT_OF_RANGE && position > start) {
      // Resumed on a node that has not applied what another node already delivered: wait for it.
      status =
          Status.UNAVAILABLE.withDescription(e.node + " is behind: " + status.getDescription());
    }
    long wait = attempts.nanosBeforeRetry(status);
    if (wait < 0) {
      throw attempts.giveUp();
    }
    reconnectAtNanos = System.nanoTime() + wait;
    return List.of();
  }

  private void open() {
    int shard = channels.view().shardOf(name);
    String node = channels.view().forShard(shard);
    Stream s = new Stream(node);
    stream = s;
    channels
        .async(node, shard)
        .consumeStream(
            ConsumeRequest.newBuilder()
                .setStream(name)
                .setOffset(position)
                .setConsistency(consistency)
                .setMaxRecords(WireLimits.MAX_RECORDS)
                .build(),
            s);
  }

  private static void sleepUntil(long nanoTime) {
    RaftlogClient.sleep(Math.max(0, nanoTime - System.nanoTime()));
  }

  /** Stops the stream; records not yet polled are dropped. */
  @Override
  public void close() {
    closed = true;
    if (stream != null) {
      stream.call.cancel("subscription closed", null);
      stream = null;
    }
  }

  private record Arrival(Stream stream, String node, ConsumeResponse response) {}

  private record Ended(Stream stream, String node, Status status) {}

  /** One ConsumeStream call on one node; it only queues what happens, {@link #poll} acts. */
  private final class Stream implements ClientResponseObserver<ConsumeRequest, ConsumeResponse> {
    private final String node;
    private ClientCallStreamObserver<ConsumeRequest> call;

    Stream(String node) {
      this.node = node;
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
      arrivals.add(new Ended(this, node, Status.fromThrowable(t)));
    }

    @Override
    public void onCompleted() {
      arrivals.add(
          new Ended(this, node, Status.UNAVAILABLE.withDescription("the node ended the stream")));
    }
  }
}
