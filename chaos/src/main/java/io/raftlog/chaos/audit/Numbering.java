package io.raftlog.chaos.audit;

/**
 * How a chaos run numbers its records: record {@code g} (counting from 0 over the whole run) goes
 * to stream {@code g mod streams} ({@link #streamName}) as that stream's record number {@code g /
 * streams}. The workload sends by it and the audit finds each acknowledged record by it.
 */
public record Numbering(int streams) {
  /** The name of stream {@code i}: {@code chaos-0042}. */
  public static String streamName(int i) {
    return String.format("chaos-%04d", i);
  }

  /** The stream that record {@code g} goes to. */
  public int streamOf(long g) {
    return (int) (g % streams);
  }

  /** Record {@code g}'s number in its stream. */
  public long seqOf(long g) {
    return g / streams;
  }
}
