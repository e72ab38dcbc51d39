package io.raftlog.chaos.audit;

import java.util.List;

/** Nearest-rank percentiles, as the summary and fault lines give them. */
public final class Percentile {
  private Percentile() {}

  /** The {@code p}-quantile (nearest rank) of {@code values}, 0 if there are none. */
  public static long of(List<Long> values, double p) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Long> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
  }
}
