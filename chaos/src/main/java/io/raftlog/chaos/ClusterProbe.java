package io.raftlog.chaos;

import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ReplicaInfo;
import io.raftlog.api.v1.Role;
import io.raftlog.chaos.audit.Fault;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ProcessCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What the chaos run asks the nodes about themselves: the cluster view, who leads which shard, in
 * which term, and how far each replica has applied. Each node answers for itself ({@link
 * ProcessCluster#self}); a node that does not answer counts as knowing nothing. Runs on the
 * caller's thread.
 */
final class ClusterProbe {
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration STEP_DOWN_TIMEOUT = Duration.ofSeconds(15);

  private ClusterProbe() {}

  /** Node {@code id}'s own view of the cluster. */
  static GetClusterResponse view(ProcessCluster nodes, String id) {
    return nodes
        .blocking(id)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build());
  }

  /**
   * When a node of {@code asked} first reports a replica of {@code shards} in a term newer than
   * {@code termsBefore} gives for its shard (a candidate: its pre-vote won, it asks for votes), and
   * when, for every shard of {@code shards}, a node of {@code asked} says it leads it
   * (System.nanoTime(), -1 for not before {@code deadline}). Those nodes could not reach the
   * faulted one, so that is a leader they elected: the server's part of the outage, before the
   * balancer spreads leaders again (which waiting for agreed, spread leaders would add).
   */
  static Fault.Election awaitNewLeaders(
      ProcessCluster nodes,
      List<String> asked,
      Set<Integer> shards,
      Map<Integer, Long> termsBefore,
      long deadline)
      throws InterruptedException {
    long candidate = -1;
    while (System.nanoTime() < deadline) {
      Set<Integer> led = new TreeSet<>();
      for (String id : asked) {
        for (ReplicaInfo r : replicas(nodes, id)) {
          if (!shards.contains(r.getShard())) {
            continue;
          }
          if (r.getRole() == Role.LEADER) {
            led.add(r.getShard());
          }
          if (candidate < 0 && r.getTerm() > termsBefore.getOrDefault(r.getShard(), 0L)) {
            candidate = System.nanoTime();
          }
        }
      }
      if (led.containsAll(shards)) {
        long now = System.nanoTime();
        return new Fault.Election(candidate < 0 ? now : candidate, now);
      }
      Thread.sleep(POLL.toMillis());
    }
    return new Fault.Election(candidate, -1);
  }

  /**
   * Each node's role and term in {@code shards} as it reports them itself, e.g. {@code node 1 [0
   * FOLLOWER t3, 5 LEADER t2]}; "no answer" for a node that does not answer.
   */
  static String replicaViews(ProcessCluster nodes, Set<Integer> shards) {
    List<String> views = new ArrayList<>();
    for (String id : nodes.ids()) {
      NodeInfo self = nodes.self(id);
      if (self == null) {
        views.add("node " + id + " no answer");
        continue;
      }
      views.add(
          "node "
              + id
              + " "
              + self.getReplicasList().stream()
                  .filter(r -> shards.contains(r.getShard()))
                  .map(r -> r.getShard() + " " + r.getRole() + " t" + r.getTerm())
                  .toList());
    }
    return String.join(", ", views);
  }

  /** The Raft term of each of node {@code id}'s shard replicas. */
  static Map<Integer, Long> replicaTerms(ProcessCluster nodes, String id) {
    Map<Integer, Long> terms = new HashMap<>();
    for (ReplicaInfo r : replicas(nodes, id)) {
      terms.put(r.getShard(), r.getTerm());
    }
    return terms;
  }

  /**
   * The resumed node must have given up leading {@code shard} in its old term: its replica is in a
   * newer term (a leader in that newer term may be itself again, handed back by the balancer).
   */
  static boolean awaitNewerTerm(ProcessCluster nodes, String id, int shard, long termBefore) {
    return Await.poll(
            STEP_DOWN_TIMEOUT,
            () ->
                replicaTerms(nodes, id).getOrDefault(shard, 0L) > termBefore ? Boolean.TRUE : null)
        != null;
  }

  /**
   * Every node up, and every shard's replicas at the same applied index in two polls in a row (no
   * writes come any more, so that is the end of the log).
   */
  static void awaitConverged(
      ProcessCluster nodes, Map<Integer, List<String>> replicas, Duration timeout) {
    List<Map<Integer, List<Long>>> last = new ArrayList<>();
    last.add(null);
    Map<Integer, List<Long>> converged =
        Await.poll(
            timeout,
            () -> {
              Map<Integer, List<Long>> applied = appliedIndexes(nodes);
              boolean stable =
                  applied != null && allEqual(applied, replicas) && applied.equals(last.get(0));
              last.set(0, applied);
              return stable ? applied : null;
            });
    if (converged == null) {
      throw new IllegalStateException(
          "shard replicas did not converge within " + timeout + ": applied indexes " + last.get(0));
    }
  }

  /** Each shard's replicas' applied indexes; null if a node does not answer. */
  private static Map<Integer, List<Long>> appliedIndexes(ProcessCluster nodes) {
    Map<Integer, List<Long>> applied = new TreeMap<>();
    for (String id : nodes.ids()) {
      NodeInfo self = nodes.self(id);
      if (self == null) {
        return null;
      }
      for (ReplicaInfo r : self.getReplicasList()) {
        applied.computeIfAbsent(r.getShard(), k -> new ArrayList<>()).add(r.getAppliedIndex());
      }
    }
    return applied;
  }

  /** Whether every shard reports all its replicas, all at one applied index. */
  private static boolean allEqual(
      Map<Integer, List<Long>> applied, Map<Integer, List<String>> replicas) {
    return applied.keySet().containsAll(replicas.keySet())
        && applied.entrySet().stream()
            .allMatch(
                e ->
                    e.getValue().size() == replicas.get(e.getKey()).size()
                        && e.getValue().stream().distinct().count() == 1);
  }

  private static List<ReplicaInfo> replicas(ProcessCluster nodes, String id) {
    NodeInfo self = nodes.self(id);
    return self == null ? List.of() : self.getReplicasList();
  }
}
