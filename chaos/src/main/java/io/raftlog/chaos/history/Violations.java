package io.raftlog.chaos.history;

import io.raftlog.chaos.history.Violation.Kind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Where the judges of one check report what they find: every violation is counted by kind, the
 * first {@value #KEEP} are kept with their message, in the order they were found (which is file
 * order within a pass). One per {@link HistoryChecker} run, used by its thread only.
 */
final class Violations {
  /** Violations kept with their message (all are counted). */
  static final int KEEP = 1000;

  private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);
  private final List<Violation> first = new ArrayList<>();

  void add(Kind kind, String stream, long offset, String message) {
    counts.merge(kind, 1L, Long::sum);
    if (first.size() < KEEP) {
      first.add(new Violation(kind, stream, offset, message));
    }
  }

  Map<Kind, Long> counts() {
    return counts;
  }

  List<Violation> first() {
    return first;
  }

  /** A value as messages show it: quoted, cut at 40 characters. */
  static String quote(String value) {
    return "'" + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'";
  }
}
