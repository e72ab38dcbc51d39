package io.raftlog.cli.tail;

import io.grpc.Status;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogException;
import io.raftlog.client.SequencedProducer;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.function.BooleanSupplier;

/**
 * Sends one file's batches, one at a time, with the file's own idempotent producer: a producer id
 * kept in the file's state and a sequence that counts its batches. A batch is retried, same
 * sequence, until the log has it: through failover by the client, then every second for as long as
 * the cluster is down, saying once that it waits and once that the cluster is back. Owned and run
 * by the file's thread ({@link FileTail}); a stop while waiting ends that thread ({@link Stopped}).
 */
final class BatchSender {
  /** Saves the state naming {@code b} as in flight: before it is first sent, or renumbered. */
  interface BeforeSend {
    void save(Batch b) throws IOException;
  }

  /** Ends the file's thread when a stop comes while it waits for the cluster. */
  static final class Stopped extends RuntimeException {
    Stopped() {
      super(null, null, false, false);
    }
  }

  private final RaftlogClient client;
  private final String stream;
  private final String name;
  private final Notices notices;
  private final BooleanSupplier stopping;
  private SequencedProducer producer;
  private long sequence;
  private long waitingSince;
  private Status.Code waitingFor;

  BatchSender(
      RaftlogClient client, String stream, String name, Notices notices, BooleanSupplier stopping) {
    this.client = client;
    this.stream = stream;
    this.name = name;
    this.notices = notices;
    this.stopping = stopping;
  }

  /** Goes on with a saved producer: its id and the sequence of its next (or in-flight) batch. */
  void resume(long producerId, long nextSequence) {
    producer = client.sequencedProducer(producerId);
    sequence = nextSequence;
  }

  /** A new random producer id, numbered from 0: for a new state, or one the log forgot. */
  void renumber() {
    SecureRandom random = new SecureRandom();
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    resume(id, 0);
  }

  long producerId() {
    return producer.producerId();
  }

  /** The sequence of the next batch, or of the batch being sent. */
  long sequence() {
    return sequence;
  }

  /**
   * Sends {@code b} until the log has it ({@code held}: the lines read and not acknowledged, for
   * the notice), after {@code beforeSend} saved the state naming it.
   */
  void send(Batch b, long held, BeforeSend beforeSend) throws IOException {
    beforeSend.save(b);
    while (true) {
      try {
        ProduceResponse answer = producer.send(stream, sequence, b.records);
        sequence++;
        if (waitingSince != 0) {
          notices.say(
              name,
              String.format(
                  "the cluster is back after %.1f s: sent the %d lines held%s, reading again",
                  (System.nanoTime() - waitingSince) / 1e9,
                  b.records.size(),
                  answer.getDuplicate() ? " (already appended)" : ""));
          waitingSince = 0;
          waitingFor = null;
        }
        return;
      } catch (RaftlogException e) {
        if (RaftlogException.retryable(e.code())) {
          waiting(b, held, e);
        } else if (e.code() == Status.Code.FAILED_PRECONDITION
            && e.getMessage().contains("sequence")) {
          notices.say(
              name,
              "the log does not know where this file's producer is ("
                  + e.getMessage()
                  + "): sending with a new producer id; this batch of "
                  + b.records.size()
                  + " lines may be appended twice");
          renumber();
          beforeSend.save(b);
        } else {
          throw e;
        }
      }
    }
  }

  private void waiting(Batch b, long held, RaftlogException e) {
    if (waitingFor != e.code()) {
      if (waitingSince == 0) {
        waitingSince = System.nanoTime();
      }
      waitingFor = e.code();
      notices.say(
          name,
          "waiting for the cluster since "
              + LocalTime.now()
                  .minusNanos(System.nanoTime() - waitingSince)
                  .truncatedTo(ChronoUnit.SECONDS)
              + " ("
              + e.getMessage()
              + "); holding "
              + held
              + " lines ("
              + b.bytes
              + " bytes), reading paused; retrying");
    }
    if (stopping.getAsBoolean()) {
      throw new Stopped();
    }
    try {
      Thread.sleep(1000);
    } catch (InterruptedException interrupted) {
      throw new Stopped();
    }
    if (stopping.getAsBoolean()) {
      throw new Stopped();
    }
  }
}
