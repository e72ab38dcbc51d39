package io.raftlog.chaos;

import io.grpc.Status;
import io.raftlog.api.v1.TruncateResponse;
import io.raftlog.chaos.audit.Numbering;
import io.raftlog.chaos.history.AppendOutcome;
import io.raftlog.chaos.history.HistoryWriter;
import io.raftlog.chaos.history.Op;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntToLongFunction;

/**
 * Truncates the {@link StreamPlan}'s truncated streams from time to time during a chaos run: every
 * {@value #EVERY_MS} ms one of them, at random, below an offset up to {@value #BEHIND} before the
 * one after its latest acknowledged record (so now and then all of it). Each truncate goes into the
 * history ({@code truncate} invoke, then ok with the first offset answered, or fail / unknown).
 *
 * <p>Threads: {@code chaos-truncator} truncates; the run's thread starts and stops it.
 */
final class Truncator {
  private static final long EVERY_MS = 700;
  private static final int BEHIND = 15;

  /** Answers after which the truncate certainly changed nothing (it is checked before applying). */
  private static final Set<Status.Code> CERTAIN =
      Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND, Status.Code.OUT_OF_RANGE);

  private final RaftlogClient client;
  private final HistoryWriter history;
  private final List<Integer> streams;
  private final IntToLongFunction latestAcked;
  private final Thread thread;
  private volatile boolean running = true;
  private long done;

  /**
   * @param latestAcked the largest offset acknowledged so far in stream {@code i}, -1 if none
   */
  Truncator(
      RaftlogClient client,
      HistoryWriter history,
      List<Integer> streams,
      IntToLongFunction latestAcked) {
    this.client = client;
    this.history = history;
    this.streams = List.copyOf(streams);
    this.latestAcked = latestAcked;
    this.thread = new Thread(this::run, "chaos-truncator");
  }

  void start() {
    if (!streams.isEmpty()) {
      thread.start();
    }
  }

  /** Stops truncating; returns once the truncate in flight has its answer. */
  void stop() throws InterruptedException {
    running = false;
    if (thread.isAlive()) {
      thread.join();
    }
  }

  /** Truncates answered, once stopped. */
  long done() {
    return done;
  }

  private void run() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (running) {
      try {
        Thread.sleep(EVERY_MS);
      } catch (InterruptedException e) {
        return;
      }
      int i = streams.get(random.nextInt(streams.size()));
      long latest = latestAcked.applyAsLong(i);
      if (latest < 0) {
        continue;
      }
      truncate(Numbering.streamName(i), Math.max(0, latest + 1 - random.nextInt(BEHIND + 1)));
    }
  }

  private void truncate(String stream, long before) {
    long id = history.nextId();
    history.record(Op.truncateInvoke(id, "client", stream, before));
    try {
      TruncateResponse answer = client.truncate(stream, before);
      history.record(Op.truncateOk(id, "client", stream, answer.getFirstOffset()));
      done++;
    } catch (RuntimeException e) {
      Op.Type type =
          e instanceof RaftlogException r && CERTAIN.contains(r.code())
              ? Op.Type.FAIL
              : Op.Type.UNKNOWN;
      history.record(
          Op.notOk(
              id,
              type,
              Op.F.TRUNCATE,
              "client",
              stream,
              null,
              AppendOutcome.code(e),
              String.valueOf(e.getMessage())));
    }
  }
}
