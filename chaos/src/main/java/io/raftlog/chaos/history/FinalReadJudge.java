package io.raftlog.chaos.history;

import io.raftlog.chaos.history.FinalLog.Stream;
import io.raftlog.chaos.history.Violation.Kind;

/**
 * Judges the {@code final} reads, the checker's truth: in the first pass it builds the {@link
 * FinalLog} from them (each stream dense from its first offset, pages that agree where they
 * overlap), and after the second it finds the records of the final log no append sent. The final
 * positions of named consumers are left to the {@link ConsumerJudge}. Runs on the checker's thread.
 */
final class FinalReadJudge {
  private final FinalLog log;
  private final Violations violations;

  FinalReadJudge(Judging j) {
    log = j.log();
    violations = j.violations();
  }

  /** Pass 1: adds one {@code final} page to the log. */
  void index(Op op) {
    if (op.consumer() != null) {
      return;
    }
    Stream s = log.stream(op.stream());
    if (!s.finalSeen && op.offset() > 0) {
      log.startAt(s, op.offset());
    }
    s.finalSeen = true;
    for (int i = 0; i < op.offsets().length; i++) {
      long off = op.offsets()[i];
      long h = FinalLog.hash(op.values().get(i));
      if (off < s.size()) {
        if (s.hashAt((int) off) != h) {
          violations.add(
              Kind.FINAL_NOT_DENSE,
              s.name,
              off,
              s.name + " offset " + off + ": two final reads disagree (final op " + op.id() + ")");
        }
        continue;
      }
      if (off > s.size()) {
        violations.add(
            Kind.FINAL_NOT_DENSE,
            s.name,
            off,
            s.name
                + ": the final read jumps from offset "
                + (s.size() - 1)
                + " to "
                + off
                + " (final op "
                + op.id()
                + ")");
      }
      log.add(s, off, h);
    }
  }

  /** Whether any stream had a final read: without one there is nothing to judge against. */
  boolean anyFinalRead() {
    return log.streams().stream().anyMatch(s -> s.finalSeen);
  }

  /**
   * After pass 2: the final read of a stream starts below the first offset a truncate answered (a
   * truncated record came back, or the first offset went back).
   */
  void belowTruncation() {
    for (Stream s : log.streams()) {
      if (s.finalSeen && s.first() < s.truncated) {
        violations.add(
            Kind.TRUNCATED_RETURNED,
            s.name,
            s.first(),
            s.name
                + ": the final read starts at offset "
                + s.first()
                + ", but truncate op "
                + s.truncatedOp
                + " had answered first offset "
                + s.truncated);
      }
    }
  }

  /** After pass 2: every record of the final log that no append sent. */
  void neverSent() {
    for (Stream s : log.streams()) {
      for (int off = (int) s.first(); off < s.size(); off++) {
        if (s.hashAt(off) != 0 && !s.sent(off)) {
          violations.add(
              Kind.NEVER_SENT,
              s.name,
              off,
              s.name + " offset " + off + " holds a value no append sent");
        }
      }
    }
  }
}
