package io.raftlog.chaos.history;

import static io.raftlog.chaos.history.Violations.quote;

import io.raftlog.chaos.history.FinalLog.Stream;
import io.raftlog.chaos.history.Violation.Kind;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Judges the {@code append} lines of the second pass against the {@link FinalLog}: an acknowledged
 * append is in the final log once, at its offset (or, below its stream's final first offset, may be
 * gone: truncated or dropped by retention), and got an offset beyond every one acknowledged before
 * it was invoked; one whose outcome is unknown is there at most once; one that failed is absent. It
 * keeps the appends in flight and raises the {@link LatestAcks}. Runs on the checker's thread.
 */
final class AppendJudge {
  private final Judging j;
  private final FinalLog log;
  private final Map<Long, Pending> pending = new HashMap<>();
  private long ok;
  private long failed;
  private long unknown;
  private long truncated;

  AppendJudge(Judging j) {
    this.j = j;
    this.log = j.log();
  }

  /** One {@code append} line, at {@code line}, of stream {@code s}. */
  void judge(Op op, Stream s, long line) throws HistoryFormatException {
    if (op.type() == Op.Type.INVOKE) {
      long h = FinalLog.hash(op.value());
      for (long at : log.places(h)) {
        if (!log.markSent(at)) {
          throw j.badLine(
              line,
              "append op "
                  + op.id()
                  + " sends "
                  + quote(op.value())
                  + ", which an earlier append sent too; every append needs a value of its own");
        }
      }
      pending.put(op.id(), new Pending(s, op.value(), h, j.acks().offset(s), j.acks().op(s)));
      return;
    }
    Pending a = pending.remove(op.id());
    if (a == null) {
      throw j.badLine(line, "append op " + op.id() + " completes but was never invoked");
    }
    switch (op.type()) {
      case OK -> acknowledged(op, a);
      case FAIL -> failed(op, a);
      default -> unknown(op.id(), a, op.code() + ": " + op.error());
    }
  }

  /** After pass 2: the appends never completed, whose outcome is unknown. */
  void finish() {
    for (Map.Entry<Long, Pending> e : pending.entrySet()) {
      unknown(e.getKey(), e.getValue(), "never completed");
    }
  }

  long ok() {
    return ok;
  }

  long failed() {
    return failed;
  }

  long unknown() {
    return unknown;
  }

  /** Acknowledged appends absent from the final log because they were below its first offset. */
  long truncated() {
    return truncated;
  }

  private void acknowledged(Op op, Pending a) {
    ok++;
    Stream s = a.stream;
    long offset = op.offset();
    if (a.mustExceed >= 0 && offset <= a.mustExceed) {
      j.violations()
          .add(
              Kind.OFFSET_WENT_BACK,
              s.name,
              offset,
              s.name
                  + ": append op "
                  + op.id()
                  + " got offset "
                  + offset
                  + ", but it was invoked after append op "
                  + a.mustExceedOp
                  + " was acknowledged at offset "
                  + a.mustExceed);
    }
    j.acks().acked(s, offset, op.id());
    long[] at = log.places(a.hash);
    if (at.length == 0 && offset < s.first()) {
      truncated++; // below the final first offset: truncation or retention may have removed it
    } else if (at.length == 0) {
      j.violations()
          .add(
              Kind.LOST,
              s.name,
              offset,
              acked(op, a)
                  + " was acknowledged there but is not in the final log"
                  + (s.finalSeen ? "" : " (the stream has no final read)"));
    } else if (at.length > 1) {
      j.violations()
          .add(
              Kind.DUPLICATED,
              s.name,
              offset,
              acked(op, a) + " is in the final log " + at.length + " times: " + log.where(at));
    } else if (at[0] != FinalLog.place(s, offset)) {
      j.violations()
          .add(
              Kind.MISPLACED,
              s.name,
              offset,
              acked(op, a)
                  + " was acknowledged there but the final log has it at "
                  + log.where(at));
    }
  }

  /** How a message about an acknowledged append begins. */
  private static String acked(Op op, Pending a) {
    return a.stream.name + " offset " + op.offset() + ": " + named(op.id(), a);
  }

  /** {@code append op 7 of 'a|3'}. */
  private static String named(long id, Pending a) {
    return "append op " + id + " of " + quote(a.value);
  }

  private void failed(Op op, Pending a) {
    failed++;
    atMost(
        0,
        Kind.FAILED_PRESENT,
        a,
        at ->
            named(op.id(), a)
                + " failed for certain ("
                + op.code()
                + ": "
                + op.error()
                + ") but is in the final log at "
                + log.where(at));
  }

  private void unknown(long id, Pending a, String why) {
    unknown++;
    atMost(
        1,
        Kind.UNKNOWN_TWICE,
        a,
        at ->
            named(id, a)
                + " (outcome unknown: "
                + why
                + ") is in the final log "
                + at.length
                + " times: "
                + log.where(at));
  }

  /**
   * An append not acknowledged may be in the final log at most {@code times} times (a failed one
   * never, an unknown one once); a {@code kind} violation if more, its message made from the
   * places.
   */
  private void atMost(int times, Kind kind, Pending a, Function<long[], String> message) {
    long[] at = log.places(a.hash);
    if (at.length > times) {
      j.violations().add(kind, a.stream.name, FinalLog.offsetOf(at[0]), message.apply(at));
    }
  }

  /** An append invoked and not yet completed; {@code mustExceed}: largest offset acked before. */
  private record Pending(
      Stream stream, String value, long hash, long mustExceed, long mustExceedOp) {}
}
