package io.raftlog.client;

import io.raftlog.api.v1.ProduceResponse;
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
 * The sender thread of a {@link Producer}: it runs the event loop and hands each shard's work to
 * that shard's {@link Lane}. Each round it runs what gRPC's threads reported, lets every lane check
 * its stalls and resends, drains the sealed batches from the {@link RecordAccumulator} as far as
 * each lane has room, and sends them on their lanes. Lanes are independent: a leader change in one
 * shard ends and resends only that shard's batches, with their own sequences, while the other
 * shards' streams go on.
 *
 * <p>The lanes are the sender thread's alone. gRPC's threads only queue what happened for it, and
 * callers only wake it. Batch futures complete on a separate callbacks thread, in each shard's send
 * order, so a callback that blocks or sends again cannot stall the sender.
 */
final class Sender implements Lane.Outcomes {
  private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
  private static final Runnable WAKE = () -> {};
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final int maxInFlight;
  private final RecordAccumulator accumulator;
  private final Lane.Context context;
  private final Thread thread;
  private final ExecutorService callbacks;
  private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();

  // The sender thread's alone.
  private final Map<Integer, Lane> lanes = new HashMap<>();
  private volatile int streamsOpened;

  Sender(
      ClientOptions options,
      ClusterView cluster,
      ProduceCalls calls,
      Backoff backoff,
      RecordAccumulator accumulator,
      long producerId) {
    this.maxInFlight = options.get(ClientSettings.MAX_IN_FLIGHT);
    this.accumulator = accumulator;
    this.context =
        new Lane.Context(
            options, backoff, producerId, cluster, calls, System::nanoTime, events::add, this);
    String id = Long.toHexString(producerId);
    this.callbacks =
        Executors.newSingleThreadExecutor(r -> daemon(r, "raftlog-producer-callbacks-" + id));
    this.thread = daemon(this::run, "raftlog-producer-" + id);
    cluster.onLeaderChange(this::wake);
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
        Runnable event = events.poll(nanosToNextDuty(), TimeUnit.NANOSECONDS);
        while (event != null) {
          event.run();
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

  /** How many more batches of {@code shard} may go now. */
  private int room(int shard) {
    Lane lane = lanes.get(shard);
    return lane == null ? maxInFlight : lane.room();
  }

  private long nanosToNextDuty() {
    long now = System.nanoTime();
    long wait = IDLE_WAIT_NANOS;
    for (Lane lane : lanes.values()) {
      wait = Math.min(wait, lane.nanosToNextResend(now));
    }
    // A lingering batch matters only once it could be sent; until then an answer wakes us.
    wait = Math.min(wait, accumulator.nanosToLingerEnd(now, shard -> room(shard) > 0));
    return Math.max(0, wait);
  }

  /** One round of duties; true once closed and everything is answered. */
  private boolean step() {
    long now = System.nanoTime();
    boolean busy = false;
    for (Lane lane : lanes.values()) {
      busy |= lane.duties(now);
    }
    List<ProducerBatch> toSend = accumulator.drain(this::room, now);
    Map<Integer, List<ProducerBatch>> byShard = new LinkedHashMap<>();
    for (ProducerBatch b : toSend) {
      byShard.computeIfAbsent(b.shard, s -> new ArrayList<>()).add(b);
    }
    byShard.forEach(
        (shard, batches) -> lanes.computeIfAbsent(shard, s -> new Lane(s, context)).send(batches));
    for (Lane lane : lanes.values()) {
      busy |= lane.hasInFlight();
    }
    if (!busy && toSend.isEmpty() && accumulator.closedAndEmpty()) {
      lanes.values().forEach(Lane::finish);
      return true;
    }
    lanes.values().forEach(Lane::leaveIdleRelay);
    return false;
  }

  @Override
  public void streamOpened() {
    streamsOpened++;
  }

  @Override
  public void succeeded(ProducerBatch b, ProduceResponse response) {
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

  /** Fails the futures of a batch the resend rules gave up on. */
  @Override
  public void gaveUp(ResendQueue.GivenUp givenUp) {
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
}
