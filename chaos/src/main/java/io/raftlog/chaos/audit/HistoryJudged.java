package io.raftlog.chaos.audit;

import java.util.function.Consumer;

/**
 * The history checker found nothing wrong: each of its violations counts, and a history it could
 * not judge counts as one.
 */
public final class HistoryJudged implements Check {
  /** How many of the checker's first violations are listed among the run's problems. */
  private static final int LISTED = 10;

  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    if (run.history() == null) {
      problems.accept("the history could not be judged (see above)");
      return 1;
    }
    run.history().first().stream().limit(LISTED).forEach(v -> problems.accept("history: " + v));
    return run.history().violations();
  }
}
