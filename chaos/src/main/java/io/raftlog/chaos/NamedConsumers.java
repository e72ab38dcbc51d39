package io.raftlog.chaos;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.ConsumerInfo;
import io.raftlog.chaos.audit.Numbering;
import io.raftlog.chaos.history.AppendOutcome;
import io.raftlog.chaos.history.HistoryWriter;
import io.raftlog.chaos.history.Op;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogException;
import io.raftlog.testkit.ProcessCluster;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Named consumers in a chaos run, one per stream the {@link StreamPlan} names, each reading its
 * stream as an application would: a page at a time from its position (a linearizable read on a
 * random live node, recorded as a {@code read}), then a commit of the offset after the last record
 * read ({@code commit}); at its start, after its first acknowledged commit, and now and then after
 * (a restart), it reads its committed offset back ({@code position}) and goes on from there.
 * Overtaken by truncation or retention (an OUT_OF_RANGE read), it goes on from the stream's first
 * offset. No commit is forced, so a committed offset only grows. At the end the run records each
 * one's committed offset as a final.
 *
 * <p>Threads: {@code chaos-consumers} runs every consumer in turn; the run's thread starts and
 * stops it, then calls {@link #recordFinal}.
 */
final class NamedConsumers {
  private static final long STEP_MS = 80;
  private static final int MAX_RECORDS = 20;
  private static final long READ_DEADLINE_MS = 2000;

  /** One step in this many restarts the consumer from its committed offset. */
  private static final int RESTART_ONE_IN = 8;

  /** Answers after which the commit certainly was not applied (checked when it is applied). */
  private static final Set<Status.Code> CERTAIN =
      Set.of(
          Status.Code.INVALID_ARGUMENT,
          Status.Code.NOT_FOUND,
          Status.Code.OUT_OF_RANGE,
          Status.Code.FAILED_PRECONDITION);

  private final RaftlogClient client;
  private final ProcessCluster nodes;
  private final HistoryWriter history;
  private final List<Reader> readers = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  NamedConsumers(
      RaftlogClient client, ProcessCluster nodes, HistoryWriter history, List<Integer> streams) {
    this.client = client;
    this.nodes = nodes;
    this.history = history;
    for (int i : streams) {
      readers.add(new Reader(Numbering.streamName(i), "reader-" + i));
    }
    this.thread = new Thread(this::run, "chaos-consumers");
  }

  void start() {
    if (!readers.isEmpty()) {
      thread.start();
    }
  }

  /** Stops reading; returns once the call in flight has its answer. */
  void stop() throws InterruptedException {
    running = false;
    if (thread.isAlive()) {
      thread.join();
    }
  }

  /** How many consumers there are. */
  int size() {
    return readers.size();
  }

  /**
   * Each consumer's committed offset as the cluster holds it at the end (the run's thread, once
   * stopped): a final op each, with no offset for one that has none. One that cannot be read gets
   * no final op (the checker then finds its acknowledged commits lost), and {@code log} says why.
   */
  void recordFinal(PrintStream log) {
    for (Reader r : readers) {
      long committed;
      try {
        committed = client.getConsumer(r.stream, r.name).getCommittedOffset();
      } catch (RaftlogException e) {
        if (e.code() != Status.Code.NOT_FOUND) {
          log.printf("chaos: consumer %s of %s cannot be read: %s%n", r.name, r.stream, e);
          continue;
        }
        committed = -1;
      }
      history.record(Op.finalPosition(history.nextId(), "client", r.stream, r.name, committed));
    }
  }

  private void run() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (running) {
      for (Reader r : readers) {
        try {
          Thread.sleep(STEP_MS);
        } catch (InterruptedException e) {
          return;
        }
        if (!running) {
          return;
        }
        boolean firstReadBack = r.committed >= 0 && !r.readBack;
        if (r.position < 0 || firstReadBack || random.nextInt(RESTART_ONE_IN) == 0) {
          r.readBack |= r.committed >= 0;
          restart(r);
        }
        if (r.position >= 0) {
          step(r, random, true);
        }
      }
    }
  }

  /** Reads the committed offset back: the position to go on from (0 if none yet). */
  private void restart(Reader r) {
    long id = history.nextId();
    history.record(Op.positionInvoke(id, "client", r.stream, r.name));
    try {
      ConsumerInfo info = client.getConsumer(r.stream, r.name);
      history.record(Op.positionOk(id, "client", r.stream, r.name, info.getCommittedOffset()));
      r.position = info.getCommittedOffset();
      r.committed = r.position;
    } catch (RuntimeException e) {
      history.record(
          Op.notOk(
              id,
              Op.Type.FAIL,
              Op.F.POSITION,
              "client",
              r.stream,
              r.name,
              AppendOutcome.code(e),
              String.valueOf(e.getMessage())));
      if (e instanceof RaftlogException x && x.code() == Status.Code.NOT_FOUND) {
        r.position = 0;
        r.committed = -1;
      }
    }
  }

  /**
   * One page read from the position, and the commit of what it read; overtaken by retention or
   * truncation, the consumer goes on from the stream's first offset at once ({@code chase}: once),
   * or a stream that drops records faster than its consumer's steps would leave it behind.
   */
  private void step(Reader r, ThreadLocalRandom random, boolean chase) {
    List<String> up = nodes.upIds();
    if (up.isEmpty()) {
      return;
    }
    String node = up.get(random.nextInt(up.size()));
    long id = history.nextId();
    history.record(Op.readInvoke(id, node, r.stream, r.position, MAX_RECORDS));
    ConsumeResponse page;
    try {
      page =
          nodes
              .blocking(node)
              .withDeadlineAfter(READ_DEADLINE_MS, TimeUnit.MILLISECONDS)
              .consume(
                  ConsumeRequest.newBuilder()
                      .setStream(r.stream)
                      .setOffset(r.position)
                      .setMaxRecords(MAX_RECORDS)
                      .setConsistency(Consistency.LINEARIZABLE)
                      .build());
    } catch (StatusRuntimeException e) {
      history.record(
          Op.readFail(
              id,
              node,
              r.stream,
              e.getStatus().getCode().name(),
              String.valueOf(e.getStatus().getDescription())));
      if (e.getStatus().getCode() == Status.Code.OUT_OF_RANGE && overtaken(r) && chase) {
        step(r, random, false);
      }
      return;
    }
    long[] offsets = new long[page.getRecordsCount()];
    List<String> values = new ArrayList<>(offsets.length);
    for (int k = 0; k < offsets.length; k++) {
      offsets[k] = page.getRecords(k).getOffset();
      values.add(Workload.text(page.getRecords(k).getValue()));
    }
    history.record(Op.readOk(id, node, r.stream, offsets, values));
    if (offsets.length > 0) {
      r.position = offsets[offsets.length - 1] + 1;
    }
    if (r.position > r.committed) {
      commit(r);
    }
  }

  /**
   * The read was below the stream's first offset (truncation or retention passed it): the consumer
   * goes on from the first offset (Kafka's reset to earliest); whether that moved it.
   */
  private boolean overtaken(Reader r) {
    long first;
    try {
      first = client.describeStream(r.stream).getFirstOffset();
    } catch (RuntimeException e) {
      return false; // the next step reads from the same position again
    }
    if (first <= r.position) {
      return false;
    }
    r.position = first;
    return true;
  }

  private void commit(Reader r) {
    long id = history.nextId();
    long offset = r.position;
    history.record(Op.commitInvoke(id, "client", r.stream, r.name, offset));
    try {
      ConsumerInfo info = client.commitOffset(r.stream, r.name, offset, false);
      history.record(Op.commitOk(id, "client", r.stream, r.name, info.getCommittedOffset()));
      r.committed = offset;
    } catch (RuntimeException e) {
      Op.Type type =
          e instanceof RaftlogException x && CERTAIN.contains(x.code())
              ? Op.Type.FAIL
              : Op.Type.UNKNOWN;
      history.record(
          Op.notOk(
              id,
              type,
              Op.F.COMMIT,
              "client",
              r.stream,
              r.name,
              AppendOutcome.code(e),
              String.valueOf(e.getMessage())));
    }
  }

  /** One named consumer: its stream, its name, where it reads next and what it committed last. */
  private static final class Reader {
    final String stream;
    final String name;

    /** The next offset to read; -1 until it has read its committed offset back. */
    long position = -1;

    long committed = -1;

    /**
     * Whether it restarted once it had committed: the first step after its first acknowledged
     * commit does, so even a short run reads a commit back (the other restarts are at random).
     */
    boolean readBack;

    Reader(String stream, String name) {
      this.stream = stream;
      this.name = name;
    }
  }
}
