package io.raftlog.chaos;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.DrainNodeRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.RemoveNodeRequest;
import io.raftlog.api.v1.RemoveNodeResponse;
import io.raftlog.testkit.ProcessCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The cluster's members as the modes that change them ({@link Mode#changesMembers()}) change them:
 * a new node that joins through {@code cluster.join} (ids go on from the highest so far), {@code
 * DrainNode}, {@code RemoveNode}, and the waits on their progress as GetCluster shows it ({@link
 * Placement}), each bounded: past its bound the run fails with the last answer. Calls go through
 * gRPC's blocking stub to a node that is up, the next one while a node answers UNAVAILABLE (an
 * election of the meta group) or not in time. The run owns it; the fault loop's thread calls it,
 * then the run's thread at the end.
 */
final class Membership {
  /** One call's deadline; calls are retried on other nodes until {@link #CALL_TIMEOUT}. */
  private static final long RPC_DEADLINE_MS = 10_000;

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  /** A node's JVM start and its JoinCluster, on a busy two-core machine. */
  static final Duration JOIN_TIMEOUT = Duration.ofSeconds(120);

  /** Every replica of a node moved off, one move at a time (rebalance.max-concurrent-moves=1). */
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(300);

  /** Every shard back at its replication factor, and the moves onto a new node done. */
  static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(300);

  private static final long POLL_MS = 250;

  private final ProcessCluster nodes;
  private final PrintStream log;

  /** The Raft and client address of the last node drained and removed, for a joiner to reuse. */
  private String[] freed;

  /**
   * Whether a shard below its replication factor is a violation: always, but from a removal as dead
   * until every shard is back at it.
   */
  private boolean guarding = true;

  private final List<String> underReplicated = new ArrayList<>();
  private final long start = System.nanoTime();

  Membership(ProcessCluster nodes, PrintStream log) {
    this.nodes = nodes;
    this.log = log;
  }

  /** Where the membership faults say what they did. */
  PrintStream log() {
    return log;
  }

  /**
   * Lays out and starts a new node (the next id) that joins through {@code cluster.join}: on the
   * addresses of the node {@link #removeDrained} last took out when {@code reuse} and there is one
   * (a wiped node back under a new id), else on fresh ports. Does not wait.
   */
  String startJoining(boolean reuse) throws IOException {
    String[] at = reuse ? freed : null;
    freed = null;
    String id = at == null ? nodes.addJoiner(null, null) : nodes.addJoiner(at[0], at[1]);
    nodes.start(id);
    log.printf(
        "chaos: node %s starts with cluster.join (the other nodes' client addresses)%s%n",
        id,
        at == null ? "" : " on the addresses " + at[0] + " and " + at[1] + " of a removed node");
    return id;
  }

  /** Until the catalog lists node {@code id} ACTIVE; the ms it took. */
  long awaitJoined(String id) throws InterruptedException {
    return await(
        "node " + id + " registered",
        JOIN_TIMEOUT,
        v -> Placement.active(v, id) ? null : "not yet");
  }

  /** DrainNode: answers at once, the drain goes on in the meta group's leader. */
  void drain(String id) throws InterruptedException {
    call("DrainNode " + id, s -> s.drainNode(DrainNodeRequest.newBuilder().setNodeId(id).build()));
  }

  /** Until node {@code id} is DRAINED and holds nothing; the ms it took. */
  long awaitDrained(String id) throws InterruptedException {
    return await("node " + id + " drained", DRAIN_TIMEOUT, v -> Placement.notDrained(v, id));
  }

  /**
   * RemoveNode of a node drained (and still running): it goes out of the catalog, then its process
   * is stopped (SIGTERM) and its addresses kept for the next joiner.
   */
  void removeDrained(String id) throws InterruptedException {
    remove(id, false);
    String[] at = {nodes.raftAddress(id), nodes.clientAddress(id)};
    nodes.stop(id);
    nodes.remove(id);
    freed = at;
  }

  /**
   * RemoveNode with {@code dead} of a node killed before: it goes out of the catalog and of the
   * run's nodes; the shards it held are to get back to their replication factor.
   */
  List<Integer> removeDead(String id) throws InterruptedException {
    guarding = false;
    List<Integer> repair = remove(id, true).getShardsToRepairList();
    nodes.remove(id);
    return repair;
  }

  private RemoveNodeResponse remove(String id, boolean dead) throws InterruptedException {
    return call(
        "RemoveNode " + id + (dead ? " (dead)" : ""),
        s -> s.removeNode(RemoveNodeRequest.newBuilder().setNodeId(id).setDead(dead).build()));
  }

  /** Until no shard is below its replication factor or moving; the ms it took. */
  long awaitReplicated() throws InterruptedException {
    long ms =
        await(
            "every shard at its replication factor",
            SETTLE_TIMEOUT,
            v -> {
              var under = Placement.underReplicated(v);
              return under.isEmpty() ? null : "shards " + under + " below it or moving";
            });
    guarding = true;
    return ms;
  }

  /** Until the placement is settled ({@link Placement#unsettled}); the ms it took. */
  long awaitSettled() throws InterruptedException {
    return await("the placement settled", SETTLE_TIMEOUT, v -> Placement.unsettled(v, nodes.ids()));
  }

  /** Each shard's replicas as the catalog has them now. */
  Map<Integer, List<String>> replicas() throws InterruptedException {
    return Placement.replicas(view());
  }

  /**
   * The cluster as a node that is up sees it (GetCluster, every node's part); a shard below its
   * replication factor in it is noted as a violation unless a node was removed as dead since the
   * shards were last whole.
   */
  GetClusterResponse view() throws InterruptedException {
    GetClusterResponse v =
        call("GetCluster", s -> s.getCluster(GetClusterRequest.getDefaultInstance()));
    if (guarding) {
      for (String below : Placement.belowReplication(v)) {
        underReplicated.add(
            String.format("at +%.1f s %s", (System.nanoTime() - start) / 1e9, below));
        log.printf("chaos: %s (no node was removed as dead)%n", below);
      }
    }
    return v;
  }

  /**
   * Each time a GetCluster answer showed a shard below its replication factor where it must not.
   */
  List<String> underReplicated() {
    return List.copyOf(underReplicated);
  }

  /**
   * Polls GetCluster until {@code why} says nothing (null) about an answer; the ms it took, or an
   * IllegalStateException with the last reason and replica counts after {@code timeout}.
   */
  private long await(String what, Duration timeout, Function<GetClusterResponse, String> why)
      throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    String last = "no answer";
    GetClusterResponse view = null;
    while (System.nanoTime() < deadline) {
      try {
        view = view();
        last = why.apply(view);
        if (last == null) {
          return (System.nanoTime() - start) / 1_000_000;
        }
      } catch (StatusRuntimeException e) {
        last = e.getStatus().toString();
      }
      Thread.sleep(POLL_MS);
    }
    throw new IllegalStateException(
        what
            + ": not within "
            + timeout.toSeconds()
            + " s ("
            + last
            + (view == null ? "" : "; replicas/leaders per node " + Placement.counts(view))
            + ")");
  }

  /**
   * {@code call} on a node that is up, in turn, until one answers; retried while they answer
   * UNAVAILABLE or not in time, up to {@link #CALL_TIMEOUT}. Any other status fails at once:
   * UNIMPLEMENTED from nodes built before membership changes, FAILED_PRECONDITION for a refusal.
   */
  private <T> T call(String what, Function<LogGrpc.LogBlockingStub, T> call)
      throws InterruptedException {
    long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
    StatusRuntimeException last = null;
    for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
      List<String> up = nodes.upIds();
      if (!up.isEmpty()) {
        String id = up.get(attempt % up.size());
        try {
          return call.apply(
              nodes.blocking(id).withDeadlineAfter(RPC_DEADLINE_MS, TimeUnit.MILLISECONDS));
        } catch (StatusRuntimeException e) {
          Status.Code code = e.getStatus().getCode();
          if (code == Status.Code.UNIMPLEMENTED) {
            throw new IllegalStateException(
                what + ": node " + id + " does not implement membership changes: " + e.getStatus(),
                e);
          }
          if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
            throw new IllegalStateException(what + " on node " + id + ": " + e.getStatus(), e);
          }
          last = e;
        }
      }
      Thread.sleep(POLL_MS);
    }
    throw new IllegalStateException(
        what + ": no node answered within " + CALL_TIMEOUT.toSeconds() + " s", last);
  }
}
