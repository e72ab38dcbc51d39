package io.raftlog.client;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The idempotent, batching producer of a {@link RaftlogClient}.
 *
 * <p>{@link #send} adds a record to the open batch; a batch closes when it reaches the batch size,
 * or when its linger time has passed and the producer could send it now. Closed batches get
 * consecutive sequence numbers and go to the leader on one {@code ProduceStream}, up to the
 * in-flight limit, so they are appended in send order. Bytes not yet acknowledged are bounded by
 * the buffer size: a send beyond it blocks, then fails.
 *
 * <p>When the stream fails (a leader change, a dead node, overload), the producer resends the
 * unacknowledged batches one at a time with their own sequences, with backoff, until each is
 * answered or its deadline passes; the log appends a resent batch only if the first attempt did
 * not, so every record is appended once and in order. Then it streams again.
 *
 * <p>One thread (the sender) owns all of that state; callers only touch the batches under a lock,
 * and futures complete on a separate thread in send order, so a callback that blocks or sends again
 * cannot stall the producer.
 */
public final class Producer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Producer.class);
  private static final Object WAKE = new Object();
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(1000);

  private final ClientOptions options;
  private final LeaderAwareChannel cluster;
  private final Backoff backoff;
  private final long producerId = randomProducerId();
  private final Thread sender;
  private final ExecutorService callbacks;
  private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();

  // Guarded by lock: what callers fill, and the buffer bound.
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition spaceFreed = lock.newCondition();
  private final ArrayDeque<Batch> sealed = new ArrayDeque<>();
  private Batch open;
  private Batch lastSealed;
  private long bufferedBytes;
  private boolean closing;

  // The sender thread's alone.
  private long nextSequence;
  private Stream stream;
  private int streamsOpened;
  private final ArrayDeque<Batch> inflight = new ArrayDeque<>();
  private final ArrayDeque<Batch> retrying = new ArrayDeque<>();
  private boolean unaryInFlight;
  private long retryAtNanos;
  private int uncertain;

  Producer(ClientOptions options, LeaderAwareChannel cluster, Backoff backoff) {
    this.options = options;
    this.cluster = cluster;
    this.backoff = backoff;
    this.callbacks =
        Executors.newSingleThreadExecutor(
            r -> daemon(r, "raftlog-producer-callbacks-" + Long.toHexString(producerId)));
    this.sender = daemon(this::run, "raftlog-producer-" + Long.toHexString(producerId));
    sender.start();
  }

  /** This producer's id: random, fixed for the life of the client. */
  public long producerId() {
    return producerId;
  }

  /** Sends a record holding only {@code value}. */
  public CompletableFuture<Long> send(byte[] value) {
    return send(Record.newBuilder().setValue(ByteString.copyFrom(value)).build());
  }

  /**
   * Queues {@code record} for appending and returns a future of its offset, completed once a
   * majority has it. Records are appended in the order of their {@code send} calls. Blocks while
   * the buffer is full, up to the client's max block time.
   *
   * @throws RaftlogException {@code RESOURCE_EXHAUSTED} if the buffer stays full
   * @throws IllegalStateException if the producer is closed
   */
  public CompletableFuture<Long> send(Record record) {
    CompletableFuture<Long> offset = new CompletableFuture<>();
    int size = sizeOf(record);
    lock.lock();
    try {
      reserve(size);
      append(record, size, offset);
    } finally {
      lock.unlock();
    }
    return offset;
  }

  /**
   * Sends every record of {@code records}, back to back, closes the batch at once and waits; the
   * offsets in order.
   */
  List<Long> sendAndWait(List<Record> records) {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("no records to produce");
    }
    List<CompletableFuture<Long>> offsets = new ArrayList<>(records.size());
    lock.lock();
    try {
      for (Record r : records) {
        int size = sizeOf(r);
        reserve(size);
        CompletableFuture<Long> f = new CompletableFuture<>();
        append(r, size, f);
        offsets.add(f);
      }
      if (open != null) {
        seal();
      }
    } finally {
      lock.unlock();
    }
    List<Long> out = new ArrayList<>(records.size());
    for (CompletableFuture<Long> f : offsets) {
      out.add(join(f));
    }
    return out;
  }

  /**
   * Sends whatever is waiting without lingering and returns once every record sent before this call
   * is acknowledged or has failed (each within its deadline).
   */
  public void flush() {
    Batch last;
    lock.lock();
    try {
      if (open != null) {
        seal();
      }
      last = lastSealed;
    } finally {
      lock.unlock();
    }
    if (last != null) {
      last.done.join(); // batches finish in order, and never later than their deadline
    }
  }

  /** Flushes, then stops the sender. Sends after this fail. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closing) {
        return;
      }
    } finally {
      lock.unlock();
    }
    flush();
    lock.lock();
    try {
      closing = true;
    } finally {
      lock.unlock();
    }
    events.add(WAKE);
    try {
      sender.join(options.deadline().toMillis() + 5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    callbacks.shutdown();
  }

  // ---- callers' side (under lock)

  private int sizeOf(Record record) {
    int size = record.getSerializedSize() + 8; // + the record's framing inside the batch
    if (size > options.bufferBytes()) {
      throw new IllegalArgumentException(
          "record of " + size + " bytes is larger than the producer's whole buffer");
    }
    return size;
  }

  private void reserve(int size) {
    if (closing) {
      throw new IllegalStateException("producer is closed");
    }
    long waitNanos = options.maxBlock().toNanos();
    while (bufferedBytes + size > options.bufferBytes()) {
      if (open != null) {
        seal(); // what is buffered must move for space to come back
      }
      if (waitNanos <= 0) {
        throw new RaftlogException(
            Status.Code.RESOURCE_EXHAUSTED,
            String.format(
                "producer buffer full: %d bytes wait for acknowledgement (buffer %d bytes) and"
                    + " none was freed within %d ms; the cluster is slower than the sends",
                bufferedBytes, options.bufferBytes(), options.maxBlock().toMillis()),
            null);
      }
      try {
        waitNanos = spaceFreed.awaitNanos(waitNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RaftlogException(Status.Code.CANCELLED, "interrupted while waiting", e);
      }
      if (closing) {
        throw new IllegalStateException("producer is closed");
      }
    }
    bufferedBytes += size;
  }

  private void append(Record record, int size, CompletableFuture<Long> offset) {
    if (open != null && open.bytes + size > options.batchBytes()) {
      seal();
    }
    if (open == null) {
      open = new Batch(System.nanoTime());
      events.add(WAKE); // the sender times the linger from now
    }
    open.records.add(record);
    open.offsets.add(offset);
    open.bytes += size;
    if (open.bytes >= options.batchBytes()) {
      seal();
    }
  }

  private void seal() {
    sealed.add(open);
    lastSealed = open;
    open = null;
    events.add(WAKE);
  }

  private void release(long bytes) {
    lock.lock();
    try {
      bufferedBytes -= bytes;
      spaceFreed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- the sender thread

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
    long wait = IDLE_WAIT_NANOS;
    if (!retrying.isEmpty() && !unaryInFlight) {
      wait = Math.min(wait, retryAtNanos - now);
    }
    lock.lock();
    try {
      // A lingering batch matters only once it could be sent; until then an answer wakes us.
      if (open != null && retrying.isEmpty() && inflight.size() < options.maxInFlight()) {
        wait = Math.min(wait, open.createdNanos + options.linger().toNanos() - now);
      }
    } finally {
      lock.unlock();
    }
    return Math.max(0, wait);
  }

  private void handle(Object event) {
    if (event instanceof StreamAnswer a) {
      if (a.stream != stream) {
        return;
      }
      Batch b = inflight.peek();
      if (b == null
          || a.response.getSequence() != b.sequence
          || a.response.getRecordCount() != b.records.size()) {
        endStream(
            Status.INTERNAL.withDescription(
                "answer for sequence " + a.response.getSequence() + " does not match the batch"));
        return;
      }
      inflight.poll();
      succeed(b, a.response);
    } else if (event instanceof StreamEnd e) {
      if (e.stream == stream) {
        stream = null;
        onStreamFailed(e.status);
      }
    } else if (event instanceof UnaryAnswer u) {
      unaryInFlight = false;
      if (u.batch != retrying.peek()) {
        return;
      }
      if (u.status == null) {
        retrying.poll();
        succeed(u.batch, u.response);
        retryAtNanos = System.nanoTime();
      } else {
        onResendFailed(u.batch, u.status);
      }
    }
  }

  /** One round of duties; true once closed and everything is answered. */
  private boolean step() {
    long now = System.nanoTime();
    Batch oldest = inflight.peek();
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
    if (!retrying.isEmpty()) {
      if (!unaryInFlight && now >= retryAtNanos) {
        resend(retrying.peek());
      }
      return false;
    }
    List<Batch> toSend = new ArrayList<>();
    boolean done;
    lock.lock();
    try {
      int room = options.maxInFlight() - inflight.size();
      if (open != null
          && sealed.isEmpty()
          && room > 0
          && now - open.createdNanos >= options.linger().toNanos()) {
        seal();
      }
      while (room-- > 0 && !sealed.isEmpty()) {
        toSend.add(sealed.poll());
      }
      done = closing && open == null && sealed.isEmpty() && inflight.isEmpty() && toSend.isEmpty();
    } finally {
      lock.unlock();
    }
    if (done) {
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

  private void sendOnStream(List<Batch> batches) {
    if (stream == null) {
      String node = cluster.forWrite();
      stream = new Stream(node);
      streamsOpened++;
      cluster.async(node).produceStream(stream);
    }
    for (Batch b : batches) {
      if (b.sequence < 0) {
        b.sequence = nextSequence++;
        b.attempts =
            new Attempts(
                "produce of a batch of "
                    + b.records.size()
                    + (b.records.size() == 1 ? " record" : " records"),
                options.deadline(),
                backoff,
                b.createdNanos);
      }
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

  /**
   * The stream ended with batches unanswered: resend them one at a time, which also tells which of
   * them (if any) the log rejects. A failure that may pass waits a backoff first.
   */
  private void onStreamFailed(Status status) {
    retrying.addAll(inflight);
    inflight.clear();
    Batch head = retrying.peek();
    if (head == null) {
      return;
    }
    LOG.debug(
        "stream failed ({} {}); resending {} batches",
        status.getCode(),
        status.getDescription(),
        retrying.size());
    long wait =
        RaftlogException.retryable(status.getCode()) ? head.attempts.nanosBeforeRetry(status) : 0;
    if (wait < 0) {
      giveUp(head, status);
    } else {
      retryAtNanos = System.nanoTime() + wait;
    }
  }

  private void resend(Batch b) {
    String node = cluster.forWrite();
    b.attempts.started(node);
    long timeout = Math.min(options.attemptTimeout().toNanos(), b.attempts.remainingNanos());
    unaryInFlight = true;
    cluster
        .async(node)
        .withDeadlineAfter(Math.max(timeout, 1), TimeUnit.NANOSECONDS)
        .produce(
            b.request(producerId),
            new StreamObserver<>() {
              @Override
              public void onNext(ProduceResponse value) {
                events.add(new UnaryAnswer(b, value, null));
              }

              @Override
              public void onError(Throwable t) {
                events.add(new UnaryAnswer(b, null, Status.fromThrowable(t)));
              }

              @Override
              public void onCompleted() {}
            });
  }

  private void onResendFailed(Batch b, Status status) {
    if (status.getCode() == Status.Code.FAILED_PRECONDITION && uncertain > 0) {
      // A sequence gap: a batch given up on earlier was never appended. Take its number.
      uncertain--;
      renumberFrom(b);
      retryAtNanos = System.nanoTime();
      return;
    }
    long wait = b.attempts.nanosBeforeRetry(status);
    if (wait >= 0) {
      retryAtNanos = System.nanoTime() + wait;
    } else {
      giveUp(b, status);
    }
  }

  /**
   * Fails the head batch for good and goes on with the next, under its own sequence: if the failed
   * batch was not appended, the log answers the next one with a sequence gap, and it takes the free
   * number then. (Renumbering at once would be wrong: a batch after a rejected one may have been
   * appended, e.g. by a node that did not know this producer yet.)
   */
  private void giveUp(Batch b, Status status) {
    retrying.poll();
    RaftlogException e = b.attempts.giveUp();
    if (RaftlogException.retryable(status.getCode())) {
      e =
          new RaftlogException(
              e.code(),
              e.getMessage() + "; the batch may or may not have been appended",
              e.getCause());
    }
    uncertain++;
    fail(b, e);
    retryAtNanos = System.nanoTime();
  }

  /** Every resend from {@code first} on moves down one sequence number. */
  private void renumberFrom(Batch first) {
    boolean on = false;
    for (Batch r : retrying) {
      on |= r == first;
      if (on) {
        r.sequence--;
      }
    }
    nextSequence--;
  }

  private void succeed(Batch b, ProduceResponse response) {
    uncertain = 0; // the log now holds this producer's sequences up to b's: no gap is left below
    release(b.bytes);
    callbacks.execute(
        () -> {
          for (int i = 0; i < b.offsets.size(); i++) {
            b.offsets.get(i).complete(response.getBaseOffset() + i);
          }
          b.done.complete(null);
        });
  }

  private void fail(Batch b, RaftlogException e) {
    release(b.bytes);
    callbacks.execute(
        () -> {
          b.offsets.forEach(f -> f.completeExceptionally(e));
          b.done.complete(null);
        });
  }

  int streamsOpened() {
    return streamsOpened;
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RaftlogException r) {
        throw r;
      }
      throw e;
    }
  }

  private static long randomProducerId() {
    SecureRandom random = new SecureRandom();
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    return id;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Records sent together; one Raft entry on the cluster. */
  private static final class Batch {
    final long createdNanos;
    final List<Record> records = new ArrayList<>();
    final List<CompletableFuture<Long>> offsets = new ArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    long bytes;
    long sequence = -1;
    long sentNanos;
    Attempts attempts;
    private ProduceRequest request;

    Batch(long createdNanos) {
      this.createdNanos = createdNanos;
    }

    ProduceRequest request(long producerId) {
      if (request == null || request.getSequence() != sequence) {
        request =
            ProduceRequest.newBuilder()
                .addAllRecords(records)
                .setProducerId(producerId)
                .setSequence(sequence)
                .build();
      }
      return request;
    }
  }

  private record StreamAnswer(Stream stream, ProduceResponse response) {}

  private record StreamEnd(Stream stream, Status status) {}

  private record UnaryAnswer(Batch batch, ProduceResponse response, Status status) {}

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
