package io.raftlog.chaos.audit;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * One fault of the run, in System.nanoTime(): {@code start} when it began, {@code inEffect} once it
 * held (the node dead, stopped or cut off), {@code end} when it was undone and checked; {@code
 * node} the node(s) it hit ({@code all} for every node), {@code shards} the shards they led.
 */
public record Fault(long start, long inEffect, long end, String node, Set<Integer> shards) {
  public Fault {
    shards = Collections.unmodifiableSortedSet(new TreeSet<>(shards)); // in order, for the log
  }
}
