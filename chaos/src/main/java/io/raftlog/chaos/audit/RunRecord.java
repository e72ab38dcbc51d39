package io.raftlog.chaos.audit;

import io.raftlog.chaos.history.Verdict;
import java.util.List;

/**
 * Everything a chaos run recorded that the {@link Audit} judges: made by the run once the workload
 * has stopped and the final reads are done; nothing in it talks to a node.
 *
 * @param shardOf the shard of each stream, by stream index
 * @param truth a linearizable read of each stream, by stream index
 * @param replicaReads every replica's LOCAL read of each stream of its shard
 * @param faults the faults, in order
 * @param notSteppedDown how often a faulted leader was not in a newer term in a shard it led after
 *     a fault that required it (the fault loop's own check, printed as it happened)
 * @param history the history checker's verdict, null if the history could not be judged
 * @param underReplicated each time GetCluster showed a shard with fewer voters than its replication
 *     factor while no node had been removed as dead (a replica move must add the new replica before
 *     the old one leaves), described; empty in modes that do not change members
 */
public record RunRecord(
    List<Integer> shardOf,
    List<StreamContent> truth,
    List<ReplicaRead> replicaReads,
    Sends sends,
    Consumed consumed,
    List<Fault> faults,
    long notSteppedDown,
    Verdict history,
    List<String> underReplicated) {
  public RunRecord {
    shardOf = List.copyOf(shardOf);
    truth = List.copyOf(truth);
    replicaReads = List.copyOf(replicaReads);
    faults = List.copyOf(faults);
    underReplicated = List.copyOf(underReplicated);
  }

  /** How many streams the run wrote. */
  public int streams() {
    return truth.size();
  }
}
