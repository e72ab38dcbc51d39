package io.raftlog.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leaders heartbeat every election timeout / {@link GroupMember#HEARTBEATS_PER_ELECTION_TIMEOUT}
 * (200 ms rather than JRaft's 60 ms, for idle CPU): an idle cluster must still hold no election,
 * every follower hearing from its leader within the timeout and every leader keeping its lease.
 */
class IdleHeartbeatTest {
  @TempDir Path dir;

  @Test
  void anIdleClusterHoldsNoElectionsBetweenTheSparserHeartbeats() throws InterruptedException {
    // Leaders are agreed once balanced; the balancer then hands nothing over (a transfer would
    // start a new term too).
    try (InProcessCluster<RaftlogServer> cluster =
        InProcessCluster.start(
            dir, 3, Map.of(ConfigKeys.BALANCE_INTERVAL_MS.name(), "500"), RaftlogServer::start)) {
      Map<Integer, String> leaders = cluster.awaitShardLeaders();
      Map<String, Map<Integer, Long>> before = terms(cluster);
      int timeoutMs = cluster.node("1").config().get(ConfigKeys.ELECTION_TIMEOUT_MS);
      // Ten election timeouts with nothing to replicate: only heartbeats keep the leaders.
      Thread.sleep(10L * timeoutMs);
      assertEquals(before, terms(cluster), "every replica's term per shard");
      assertEquals(leaders, cluster.awaitShardLeaders(), "the shards' leaders");
    }
  }

  private static Map<String, Map<Integer, Long>> terms(InProcessCluster<RaftlogServer> cluster) {
    Map<String, Map<Integer, Long>> terms = new HashMap<>();
    for (String id : cluster.ids()) {
      RaftlogServer node = cluster.node(id);
      Map<Integer, Long> byShard = new HashMap<>();
      for (int shard = 0; shard < node.shardCount(); shard++) {
        byShard.put(shard, node.raftState(shard).term());
      }
      terms.put(id, byShard);
    }
    return terms;
  }
}
