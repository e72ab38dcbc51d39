package io.raftlog.chaos;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.chaos.audit.Numbering;
import io.raftlog.chaos.audit.ReplicaRead;
import io.raftlog.chaos.audit.StreamContent;
import io.raftlog.chaos.history.HistoryWriter;
import io.raftlog.chaos.history.Op;
import io.raftlog.testkit.ProcessCluster;
import java.util.ArrayList;
import java.util.List;

/**
 * The reads a chaos run makes of every stream once the workload has stopped and the replicas have
 * converged: what the audit holds the run to. Runs on the run's thread.
 */
final class FinalReads {
  private FinalReads() {}

  /**
   * A linearizable read of each stream, on the replicas of its shard in turn (where the shards live
   * at the end: members may have changed); every page goes into {@code history} as the history's
   * final ops.
   */
  static List<StreamContent> linearizable(
      ProcessCluster nodes, Shards shards, HistoryWriter history, int streams) {
    List<StreamContent> truth = new ArrayList<>(streams);
    for (int i = 0; i < streams; i++) {
      List<String> holders = shards.replicas().get(shards.shardOf().get(i));
      String id = holders.get(i % holders.size());
      String stream = Numbering.streamName(i);
      truth.add(
          ReplicaReader.read(
              nodes.blocking(id),
              stream,
              Consistency.LINEARIZABLE,
              (first, page, only) -> recordFinal(history, id, stream, first, page, only)));
    }
    return truth;
  }

  /**
   * Each node's LOCAL read of every stream of the shards it holds a replica of, by {@code shards}
   * (where they live at the end).
   */
  static List<ReplicaRead> local(ProcessCluster nodes, Shards shards) {
    List<ReplicaRead> reads = new ArrayList<>();
    for (String id : nodes.ids()) {
      for (int i = 0; i < shards.shardOf().size(); i++) {
        if (shards.holds(id, i)) {
          String name = Numbering.streamName(i);
          reads.add(
              new ReplicaRead(
                  id, i, ReplicaReader.read(nodes.blocking(id), name, Consistency.LOCAL)));
        }
      }
    }
    return reads;
  }

  /**
   * One page of a final read, of a stream whose first offset is {@code first}, as a {@code final}
   * op; the empty last page only if it is the only one.
   */
  private static void recordFinal(
      HistoryWriter history,
      String node,
      String stream,
      long first,
      ConsumeResponse page,
      boolean only) {
    if (page.getRecordsCount() == 0 && !only) {
      return; // the end of a stream with records: nothing to add
    }
    long[] offsets = new long[page.getRecordsCount()];
    List<String> values = new ArrayList<>(offsets.length);
    for (int k = 0; k < offsets.length; k++) {
      offsets[k] = page.getRecords(k).getOffset();
      values.add(Workload.text(page.getRecords(k).getValue()));
    }
    history.record(Op.finalPage(history.nextId(), node, stream, first, offsets, values));
  }
}
