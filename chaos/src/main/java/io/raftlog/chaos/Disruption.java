package io.raftlog.chaos;

import java.util.List;

/**
 * One fault of a chaos run, on nodes picked when it was made: {@link #inject()} it, wait the
 * downtime, {@link #undo()} it. {@link ChaosRun}'s fault loop owns it and calls both on its own
 * thread; an implementation may run a thread of its own in between ({@link FlapNode}) and stops it
 * in {@link #undo()}.
 *
 * <p>The shards that lose their leader are those the {@link #targets()} led when it was injected:
 * their streams are the fault's affected streams.
 */
interface Disruption {
  /** What it does, for the run's log (e.g. {@code isolate-leader}). */
  String kind();

  /** The node(s) it hits; the shards they lead lose their leader. */
  List<String> targets();

  /**
   * The nodes that, while it is in effect, must agree on new leaders among themselves for the
   * shards the targets led (and that the chaos tool can still reach); empty where there is nothing
   * to measure (every node down).
   */
  List<String> survivors();

  /**
   * Whether, after {@link #undo()}, each target must be in a newer term in every shard it led: a
   * frozen or cut-off leader has stepped down rather than carrying on in its old term.
   */
  boolean mustStepDown();

  void inject() throws Exception;

  void undo() throws Exception;
}
