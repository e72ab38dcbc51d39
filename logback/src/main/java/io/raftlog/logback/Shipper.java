package io.raftlog.logback;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.spi.ContextAware;
import io.raftlog.api.v1.Record;
import io.raftlog.client.Producer;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogClientBuilder;
import io.raftlog.client.RaftlogException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The appender's worker: the bounded buffer of events, the thread that encodes them and hands them
 * to the client's idempotent {@link Producer} (which batches, retries through failover and outages
 * under its deadline, and appends each batch once), and the drop bookkeeping.
 *
 * <p>The buffer holds at most {@code capacity} events, counted from {@link #offer} until the
 * cluster acknowledged the event's record (or the producer gave it up): events waiting here and
 * events inside the producer alike, so a cluster that is down holds {@code capacity} events and no
 * more. An application thread only takes a permit without waiting and enqueues; without a permit
 * the event is dropped and counted. The shipper thread owns the client: it encodes, sends, and once
 * the cluster acknowledges a record after drops, sends the report of those drops into the stream.
 * Completions run on the producer's callback thread and only release permits and count.
 */
final class Shipper {
  private static final long POLL_MILLIS = 100;
  private static final long RETRY_MILLIS = 100;

  private final ContextAware status;
  private final String name;
  private final RaftlogClientBuilder clientSettings;
  private volatile RaftlogClient client; // built by the shipper thread for the first event
  private Producer producer; // the shipper thread's
  private final String stream;
  private final EventRecords records;
  private final int capacity;
  private final Semaphore room;
  private final LinkedBlockingQueue<ILoggingEvent> queue = new LinkedBlockingQueue<>();
  private final Drops drops = new Drops();
  private final Thread thread;
  private volatile long lastAckMillis;
  private volatile boolean failing; // a send failed since the last success: reported once
  private volatile boolean stopping;
  private volatile long stopByNanos = Long.MAX_VALUE;

  Shipper(
      ContextAware status,
      String name,
      RaftlogClientBuilder clientSettings,
      String stream,
      EventRecords records,
      int capacity) {
    this.status = status;
    this.name = name;
    this.clientSettings = clientSettings;
    this.stream = stream;
    this.records = records;
    this.capacity = capacity;
    this.room = new Semaphore(capacity);
    this.thread = new Thread(this::run, "raftlog-appender-" + name);
    thread.setDaemon(true); // stop() flushes; an application that never calls it still exits
  }

  void start() {
    thread.start();
  }

  /** Whether the caller is the shipper thread (whose own logging must not come back here). */
  boolean isShipperThread() {
    return Thread.currentThread() == thread;
  }

  /**
   * Application thread: buffers {@code e}, or drops and counts it when the buffer is full. Never
   * waits: a permit taken without waiting, and an unbounded queue (the permits bound it).
   */
  void offer(ILoggingEvent e) {
    if (!room.tryAcquire()) {
      dropped(1);
      return;
    }
    try {
      e.prepareForDeferredProcessing(); // message, thread name, MDC: as they are now, here
    } catch (RuntimeException ex) {
      room.release(); // logback reports the failure to append; the permit must not leak
      throw ex;
    }
    queue.add(e);
  }

  /** Events dropped since the start: buffer full, given up by the producer, or not delivered. */
  long droppedEvents() {
    return drops.total();
  }

  /**
   * The thread stopping the appender: sends what is buffered and waits for its acknowledgement, up
   * to {@code timeoutNanos} in all; what is still unacknowledged then counts as dropped. Closes the
   * client: at once when all is delivered, else on a thread of its own, which waits out the
   * producer's deadline so that a cluster coming back still gets what is in flight.
   */
  void stop(long timeoutNanos) {
    stopByNanos = System.nanoTime() + timeoutNanos;
    stopping = true;
    boolean delivered = false;
    try {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanosLeft())));
      if (thread.isAlive()) {
        // Stuck in a send the cluster cannot take: the interrupt ends it, and the thread counts
        // what it still queued as dropped before it ends. What it sent is counted below.
        thread.interrupt();
        thread.join(1_000);
      }
      delivered = room.tryAcquire(capacity, Math.max(0, nanosLeft()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!delivered) {
      int held = capacity - room.availablePermits();
      drops.add(held);
      status.addWarn(
          name
              + ": "
              + held
              + " events not confirmed delivered to stream '"
              + stream
              + "' when the appender stopped (shutdownTimeout); counted as dropped");
    }
    long unreported = drops.takeAll();
    if (unreported > 0) {
      status.addWarn(
          name
              + ": "
              + unreported
              + " dropped events not reported into the stream; "
              + drops.total()
              + " dropped since the start");
    }
    RaftlogClient c = client;
    if (c == null) {
      return; // nothing was ever logged
    }
    if (delivered) {
      c.close();
    } else {
      Thread closer = new Thread(c::close, "raftlog-appender-close-" + name);
      closer.setDaemon(true);
      closer.start();
    }
  }

  private long nanosLeft() {
    return stopByNanos - System.nanoTime();
  }

  private void run() {
    while (true) {
      try {
        ILoggingEvent e = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (e != null) {
          ship(e);
        } else if (stopping) {
          if (producer != null) {
            reportDrops(); // the last chance to tell the stream
            // Sends what lingers in open batches now, and waits for the answers (the stopping
            // thread waits for this one no longer than the shutdown timeout).
            producer.flush();
          }
          return;
        }
        reportDrops();
        if (stopping && nanosLeft() <= 0) {
          dropQueued();
          return;
        }
      } catch (InterruptedException ie) {
        dropQueued();
        return;
      } catch (RuntimeException ex) {
        status.addError(name + ": shipping failed; going on", ex);
      }
    }
  }

  private void ship(ILoggingEvent e) throws InterruptedException {
    Record r;
    try {
      r = records.encode(e);
    } catch (RuntimeException ex) {
      status.addError(name + ": could not encode an event of " + e.getLoggerName(), ex);
      r = null;
    }
    if (r == null) {
      status.addWarn(
          name + ": an event of " + e.getLoggerName() + " is too large even cut; dropped");
      room.release();
      dropped(1);
      return;
    }
    send(r, true);
  }

  /**
   * Hands {@code r} to the producer. A send refused for now (no slot map yet, the producer's byte
   * buffer full: each after the client's max block) is tried again until the appender's stop time
   * passes; a record the client refuses outright is dropped.
   *
   * @param counted whether {@code r} holds a permit (an event's record; a report holds none)
   */
  private void send(Record r, boolean counted) throws InterruptedException {
    if (producer == null) {
      // Here, not in the appender's start(): logback is configured by then, so the client's own
      // logging as it starts (gRPC's, Netty's) meets a configured logback, not SLF4J's replay.
      client = clientSettings.build();
      producer = client.producer();
    }
    while (true) {
      try {
        producer.send(stream, r).whenComplete((offset, failure) -> completed(failure, counted));
        return;
      } catch (RaftlogException ex) {
        if (!failing) {
          failing = true;
          status.addWarn(name + ": cannot send yet, will retry: " + ex.getMessage());
        }
        if (stopping && nanosLeft() <= 0) {
          abandon(counted);
          return;
        }
        Thread.sleep(RETRY_MILLIS);
      } catch (IllegalArgumentException | IllegalStateException ex) {
        status.addError(name + ": record refused by the client: " + ex.getMessage());
        abandon(counted);
        return;
      }
    }
  }

  /** Producer callback thread: a record acknowledged, or given up ({@code failure}). */
  private void completed(Throwable failure, boolean counted) {
    if (counted) {
      room.release();
    }
    if (failure == null) {
      lastAckMillis = System.currentTimeMillis();
      failing = false;
      return;
    }
    if (counted) {
      dropped(1);
    }
    if (!failing) {
      failing = true;
      Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
      status.addError(name + ": a batch was not delivered: " + cause.getMessage());
    }
  }

  private void abandon(boolean counted) {
    if (counted) {
      room.release();
      dropped(1);
    }
  }

  private void dropQueued() {
    int n = 0;
    while (queue.poll() != null) {
      room.release();
      n++;
    }
    if (n > 0) {
      dropped(n);
    }
  }

  private void dropped(int n) {
    if (drops.add(n)) {
      status.addWarn(
          name
              + ": buffer of "
              + capacity
              + " events full (the cluster is unreachable or slower than the logging); dropping"
              + " events, counted, until it takes them again");
    }
  }

  /** Once the cluster takes records again after drops: one WARN record into the stream. */
  private void reportDrops() throws InterruptedException {
    Drops.Unreported d = drops.takeIfAckedSince(lastAckMillis);
    if (d == null) {
      return;
    }
    String from = Instant.ofEpochMilli(d.firstMillis()).toString();
    String to = Instant.ofEpochMilli(d.lastMillis()).toString();
    String body =
        "raftlog appender "
            + name
            + " dropped "
            + d.count()
            + " log events between "
            + from
            + " and "
            + to
            + " (buffer of "
            + capacity
            + " events full while the cluster was unreachable or slow, or not delivered in time)";
    status.addInfo(name + ": delivering again; " + body);
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("thread.name", thread.getName());
    attributes.put("logger.name", RaftlogAppender.class.getName());
    attributes.put("raftlog.dropped.count", Long.toString(d.count()));
    attributes.put("raftlog.dropped.from", from);
    attributes.put("raftlog.dropped.to", to);
    send(records.own(Level.WARN, body, attributes), false);
  }
}
