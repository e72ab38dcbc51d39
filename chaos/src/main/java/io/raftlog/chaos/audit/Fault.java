package io.raftlog.chaos.audit;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * One fault of the run, in System.nanoTime(): {@code start} when it began, {@code inEffect} once it
 * held (the node dead, stopped or cut off), {@code end} when it was undone and checked; {@code
 * node} the node(s) it hit ({@code all} for every node), {@code shards} the shards they led.
 *
 * @param election when the nodes left first started an election for one of those shards and when
 *     they led them all, as the chaos run's probe saw it ({@link Election#NONE} where it was not
 *     measured)
 */
public record Fault(
    long start, long inEffect, long end, String node, Set<Integer> shards, Election election) {
  public Fault {
    shards = Collections.unmodifiableSortedSet(new TreeSet<>(shards)); // in order, for the log
  }

  /**
   * When (System.nanoTime()) a survivor's replica of a shard the fault's node led first moved to a
   * newer term ({@code candidate}: it timed out on its leader and won a pre-vote, so it asks for
   * votes), and when survivors led every such shard ({@code elected}); -1 for not seen.
   */
  public record Election(long candidate, long elected) {
    public static final Election NONE = new Election(-1, -1);
  }
}
