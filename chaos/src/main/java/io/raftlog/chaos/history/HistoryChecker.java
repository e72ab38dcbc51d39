package io.raftlog.chaos.history;

import io.raftlog.chaos.history.FinalLog.Stream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Judges a history file (see {@link Op}) in two streaming passes, so that memory grows with the
 * final log (about 50 bytes a record) and the operations in flight, never with the file.
 *
 * <ol>
 *   <li>The {@code final} lines: {@link FinalReadJudge} builds the {@link FinalLog}, each stream's
 *       final log as a 64-bit hash of the value at each offset and an index from value hash to its
 *       places.
 *   <li>Every other line in file order (which is time order: {@link HistoryWriter} stamps lines as
 *       it writes them), each handed to the judge of its kind: {@link AppendJudge}, {@link
 *       ReadJudge}, {@link SubscriptionJudge}, {@link TruncateJudge}, {@link ConsumerJudge}. {@link
 *       LatestAcks} carries, per stream, the largest offset acknowledged so far, which an append or
 *       a read invoked now must respect; each stream the highest first offset a truncate answered
 *       so far, below which a read invoked now must return nothing. Then the appends never
 *       completed are judged, the consumers' final committed offsets, the final log's records no
 *       append sent, and final reads that start below an answered truncation.
 * </ol>
 *
 * <p>Values identify appends: each append must send a value no other append sends (the chaos
 * workload's name their stream and number); the checker stops with a {@link HistoryFormatException}
 * if a value present in the final log is sent twice.
 *
 * <p>Not thread-safe: one checker, one thread (the caller's), one file at a time.
 */
public final class HistoryChecker {
  private final Judging j;
  private final FinalReadJudge finals;
  private final AppendJudge appends;
  private final ReadJudge reads;
  private final SubscriptionJudge subscriptions;
  private final TruncateJudge truncates;
  private final ConsumerJudge consumers;

  private HistoryChecker(Path file) {
    j = new Judging(file, new FinalLog(), new LatestAcks(), new Violations());
    DirtyReads dirty = new DirtyReads(j);
    finals = new FinalReadJudge(j);
    appends = new AppendJudge(j);
    reads = new ReadJudge(j, dirty);
    subscriptions = new SubscriptionJudge(j, dirty);
    truncates = new TruncateJudge(j);
    consumers = new ConsumerJudge(j);
  }

  /**
   * Checks {@code file}.
   *
   * @throws HistoryFormatException if it is not a history (naming the line), or has no final reads
   */
  public static Verdict check(Path file) throws IOException, HistoryFormatException {
    return new HistoryChecker(file).run();
  }

  private Verdict run() throws IOException, HistoryFormatException {
    long t0 = System.nanoTime();
    HistoryReader reader = new HistoryReader(j.file());
    long ops =
        reader.forEach(
            (op, line) -> {
              if (op.f() == Op.F.FINAL) {
                finals.index(op);
              }
            });
    if (!finals.anyFinalRead()) {
      throw new HistoryFormatException(
          j.file() + ": no final reads (f=final): the run ended before reading its streams back");
    }
    reader.forEach(this::judge);
    appends.finish();
    consumers.finish();
    finals.neverSent();
    finals.belowTruncation();
    return new Verdict(
        ops,
        appends.ok(),
        appends.failed(),
        appends.unknown(),
        reads.done(),
        subscriptions.deliveries(),
        appends.truncated(),
        truncates.ok(),
        consumers.commits(),
        consumers.positions(),
        j.log().streams().size(),
        j.log().records(),
        j.violations().counts(),
        j.violations().first(),
        (System.nanoTime() - t0) / 1_000_000);
  }

  /** Pass 2: hands {@code op} to the judge of its kind; every stream it names is registered. */
  private void judge(Op op, long line) throws HistoryFormatException {
    if (op.consumer() != null) {
      consumers.judge(op, line); // commit, position, and a consumer's final position
      return;
    }
    if (op.f() == Op.F.FINAL) {
      return;
    }
    Stream s = j.log().stream(op.stream());
    switch (op.f()) {
      case APPEND -> appends.judge(op, s, line);
      case READ -> reads.judge(op, s, line);
      case SUBSCRIBE -> subscriptions.judge(op, s, line);
      case TRUNCATE -> truncates.judge(op, s, line);
      case COMMIT, POSITION, FINAL -> {}
    }
  }
}
