package io.raftlog.replication;

import io.raftlog.internal.v1.ClusterLayout;
import io.raftlog.internal.v1.ShardReplicas;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this node's shard replicas what the catalog says: starts a replica (empty, to be caught up
 * by its group's leader) for each shard the catalog places here, a move's target included, and
 * stops and deletes one the catalog no longer places here (the membership change that took it out
 * is committed before the catalog says so: {@link MovePlanner}). One per node, owned by {@link
 * Replicas}; runs on its own thread, woken by every layout change the meta group applies and every
 * few seconds.
 *
 * <p>A replica is dropped only after a read barrier in the meta group: a node restarting replays
 * old catalog entries first, and an old layout must not delete a replica a later entry gave back.
 */
final class ReplicaReconciler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaReconciler.class);
  static final long PERIOD_MS = 3_000;
  private static final long BARRIER_TIMEOUT_MS = 5_000;

  private final Replicas replicas;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "raftlog-replica-reconciler");
            t.setDaemon(true);
            return t;
          });

  ReplicaReconciler(Replicas replicas) {
    this.replicas = replicas;
    thread.scheduleWithFixedDelay(this::runSafely, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  /** Called on the meta group's apply thread: queues one round (rounds coalesce). */
  void layoutChanged() {
    if (queued.compareAndSet(false, true)) {
      thread.execute(this::runSafely);
    }
  }

  private void runSafely() {
    queued.set(false);
    try {
      reconcile();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("replica reconciliation round failed; the next one tries again", e);
    }
  }

  private void reconcile() throws InterruptedException {
    Catalog catalog = replicas.catalog();
    ClusterLayout layout = catalog.layout();
    if (layout == null) {
      return;
    }
    replicas.rememberClusterId(layout.getClusterId());
    replicas.slotsFrom(layout);
    String self = replicas.self();
    boolean toStart =
        layout.getShardsList().stream()
            .anyMatch(
                s -> LayoutChanges.holders(s).contains(self) && replicas.local(s.getId()) == null);
    boolean toDrop =
        replicas.localShards().keySet().stream().anyMatch(id -> !placedHere(layout, id, self));
    if (!toStart && !toDrop) {
      return;
    }
    try {
      catalog.readBarrier().get(BARRIER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.debug("no read barrier in the meta group; replicas change on a later round", e);
      return;
    }
    ClusterLayout now = catalog.layout();
    for (ShardReplicas s : now.getShardsList()) {
      if (LayoutChanges.holders(s).contains(self) && replicas.local(s.getId()) == null) {
        replicas.startReplica(s.getId(), List.of());
      }
    }
    for (int id : List.copyOf(replicas.localShards().keySet())) {
      if (!placedHere(now, id, self)) {
        replicas.dropReplica(id);
      }
    }
  }

  private static boolean placedHere(ClusterLayout layout, int shard, String self) {
    ShardReplicas s = LayoutChanges.shard(layout, shard);
    return s != null && LayoutChanges.holders(s).contains(self);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
