package io.raftlog.service;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.storage.LogReader;
import io.raftlog.storage.StoredRecords;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One ConsumeStream call: sends records from its position while the client's flow-control window is
 * open, then sleeps until the apply path reports new records or the window reopens. Holds no
 * records of its own, so a slow reader costs the server nothing but this object. Overtaken by
 * retention or a Truncate (its position fell below the stream's first offset between two reads), it
 * follows the call's reset policy ({@link OffsetResets}).
 *
 * <p>Made and subscribed by {@link Tails}, which {@code onEnd} tells when the stream ends. Woken on
 * JRaft's apply thread and gRPC's threads, it only schedules: reads run on the read executor, one
 * drain at a time.
 */
final class TailSubscription {
  private volatile LogReader reader;
  private volatile String stream;
  private final ServerCallStreamObserver<StoredRecords> out;
  private final int maxRecords;
  private final int maxBytes;
  private final OffsetReset reset;
  private final Executor executor;
  private final Consumer<TailSubscription> onEnd;
  private final NodeTraffic traffic;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile boolean started;
  private long position; // touched only by the one drain running at a time

  TailSubscription(
      ServerCallStreamObserver<StoredRecords> out,
      int maxRecords,
      int maxBytes,
      OffsetReset reset,
      Executor executor,
      Consumer<TailSubscription> onEnd,
      NodeTraffic traffic) {
    this.out = out;
    this.traffic = traffic;
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.reset = reset;
    this.executor = executor;
    this.onEnd = onEnd;
    // gRPC takes these handlers only during the call's first invocation, so they are set here,
    // before the (asynchronous) read barrier that precedes start().
    out.setOnCancelHandler(this::end);
    out.setOnReadyHandler(this::schedule);
  }

  /** Names the stream this call follows, and the reader of its shard, once they are known. */
  void bind(LogReader reader, String stream) {
    this.reader = reader;
    this.stream = stream;
  }

  /** The stream followed, or null before {@link #bind}. */
  String stream() {
    return stream;
  }

  /** Begins sending from {@code offset}. */
  void start(long offset) {
    position = offset;
    started = true;
    schedule();
  }

  boolean ended() {
    return ended.get();
  }

  /** The stream grew (or its shard's store was replaced): look again. */
  void wake() {
    schedule();
  }

  /** Ends the stream from the server side (the node is shutting down). */
  void abort(Status status) {
    if (end()) {
      executor.execute(() -> out.onError(status.asRuntimeException()));
    }
  }

  private boolean end() {
    if (ended.compareAndSet(false, true)) {
      onEnd.accept(this);
      return true;
    }
    return false;
  }

  private void schedule() {
    if (started && !ended.get() && scheduled.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException full) {
        scheduled.set(false);
        if (end()) {
          out.onError(Errors.readsQueued());
        }
      }
    }
  }

  private void drain() {
    try {
      do {
        while (!ended.get() && out.isReady()) {
          // A deleted stream reads as no records; the records read come with the stream's next
          // offset as of the same read.
          StoredRecords records = reader.read(stream, position, maxRecords, maxBytes).orElse(null);
          if (records == null) {
            break;
          }
          if (OffsetResets.below(position, records.firstOffset())) {
            // Overtaken by retention or a Truncate: nothing below the first offset goes out; the
            // policy ends the call (FAIL, thrown) or moves the position, then it reads again.
            position =
                OffsetResets.resume(
                    reset, stream, position, records.firstOffset(), records.nextOffset());
            continue;
          }
          if (records.isEmpty()) {
            break;
          }
          position += records.count();
          traffic.read(stream, records);
          out.onNext(records);
        }
        scheduled.set(false);
        // A wake-up that came while we were draining found `scheduled` set and did nothing: look
        // again.
      } while (!ended.get()
          && out.isReady()
          && reader.nextOffset(stream) > position
          && scheduled.compareAndSet(false, true));
    } catch (RuntimeException e) {
      scheduled.set(false);
      if (end()) {
        out.onError(Errors.asStatus(e)); // OUT_OF_RANGE from the reset policy, or storage's
      }
    }
  }
}
