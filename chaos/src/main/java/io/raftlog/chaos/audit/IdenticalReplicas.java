package io.raftlog.chaos.audit;

import java.util.function.Consumer;

/**
 * Every replica of a shard holds each of its streams exactly as the linearizable read does, from
 * the same first offset on.
 */
public final class IdenticalReplicas implements Check {
  @Override
  public long count(RunRecord run, Consumer<String> problems) {
    long divergent = 0;
    for (ReplicaRead r : run.replicaReads()) {
      StreamContent truth = run.truth().get(r.stream());
      if (!r.content().digest().equals(truth.digest())) {
        divergent++;
        problems.accept(
            String.format(
                "%s (shard %d) on node %s: offsets %d to %d, sha256 %s; a linearizable read: %d"
                    + " to %d, %s",
                Numbering.streamName(r.stream()),
                run.shardOf().get(r.stream()),
                r.node(),
                r.content().first(),
                r.content().next(),
                r.content().digest(),
                truth.first(),
                truth.next(),
                truth.digest()));
      }
    }
    return divergent;
  }
}
