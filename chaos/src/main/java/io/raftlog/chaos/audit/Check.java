package io.raftlog.chaos.audit;

import java.util.function.Consumer;

/**
 * One rule a chaos run must keep, judged from what the run recorded alone (no node is asked): how
 * many times the run broke it, each described to {@code problems}. The {@link Audit} runs every
 * check on the run's thread, under its {@link Kind}; a check keeps no state.
 */
@FunctionalInterface
public interface Check {
  /** What a check counts, in the order the audit runs them: each is a number of the summary. */
  enum Kind {
    HISTORY,
    SPARSE,
    FOREIGN,
    DUPLICATED,
    REORDERED,
    LOST,
    MISPLACED,
    DIVERGENT,
    CONSUMER,
    NOT_STEPPED_DOWN,
    UNDER_REPLICATED
  }

  /** How many times {@code run} broke the rule; a line for each to {@code problems} (or none). */
  long count(RunRecord run, Consumer<String> problems);
}
