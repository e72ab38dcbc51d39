package io.raftlog.replication;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftlog.internal.v1.ShardEntry;
import io.raftlog.storage.RocksLogStore;
import io.raftlog.storage.StoreBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard's state machine: applies its committed Raft entries ({@link ShardEntry}: appends,
 * stream creates, updates, truncations and deletes, consumer commits, decided by {@link
 * EntryApplier}) to the shard's {@link RocksLogStore}, and saves and loads the shard's snapshots.
 * Knows nothing of gRPC.
 *
 * <p>All entries handed over by one {@code onApply} call are written in one store batch, and the
 * leader's callers are answered only after that write. JRaft calls every method here on the group's
 * apply thread; applied listeners are told there too, once per changed stream.
 */
final class LogStateMachine extends GroupStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(LogStateMachine.class);
  private static final String SNAPSHOT_DB = "db";

  private final RocksLogStore store;
  private final EntryApplier applier;
  private final Set<AppliedListener> appliedListeners = ConcurrentHashMap.newKeySet();
  private volatile long lastSnapshotIndex;
  // Bytes of the Raft entries applied since the last snapshot, and bytes of records truncations
  // and deletes dropped since then; written on the apply thread only.
  private volatile long bytesSinceSnapshot;
  private volatile long droppedSinceSnapshot;
  private final AtomicInteger snapshotsInstalled = new AtomicInteger();

  LogStateMachine(RocksLogStore store, int maxProducers) {
    this.store = store;
    this.applier = new EntryApplier(store, maxProducers);
    this.lastSnapshotIndex = store.appliedIndex();
  }

  void addAppliedListener(AppliedListener l) {
    appliedListeners.add(l);
  }

  void removeAppliedListener(AppliedListener l) {
    appliedListeners.remove(l);
  }

  /**
   * Snapshots that replaced this node's store since it started (from a leader, or a lagging disk).
   */
  int snapshotsInstalled() {
    return snapshotsInstalled.get();
  }

  long entriesSinceSnapshot() {
    return store.appliedIndex() - lastSnapshotIndex;
  }

  /**
   * Bytes of the Raft entries applied since the last snapshot (their data, as JRaft stores it give
   * or take a header): what the Raft log holds that the next snapshot lets go.
   */
  long bytesSinceSnapshot() {
    return bytesSinceSnapshot;
  }

  /**
   * Bytes of records truncations and stream deletes dropped from the store since the last snapshot
   * (its stored bytes before and after): what the last snapshot still holds on disk through its
   * hard links once the store compacted them away.
   */
  long droppedSinceSnapshot() {
    return droppedSinceSnapshot;
  }

  /** The stored bytes of {@code streams} together, as committed. */
  private long storedBytes(Set<String> streams) {
    long sum = 0;
    for (String s : streams) {
      sum += store.stream(s).map(m -> m.storedBytes()).orElse(0L);
    }
    return sum;
  }

  /**
   * Before its member restarts after an error: reopens the store (clearing RocksDB's write error)
   * and forgets what the failed batch left in memory (the producer table), so that replaying from
   * the store's applied index gives the same answers as the first time. Runs while no apply thread
   * does.
   */
  void prepareRestart() {
    store.reopen();
    applier.reload(store);
  }

  @Override
  public void onApply(Iterator it) {
    List<Runnable> answers = new ArrayList<>();
    long lastIndex = 0;
    long passed = 0; // entries moved past in this call, for the rollback on failure
    long bytes = 0;
    Map<String, Long> changed = Map.of();
    Set<String> truncated = Set.of();
    try (StoreBatch batch = store.newBatch()) {
      while (it.hasNext()) {
        long index = it.getIndex();
        // Entries the store already holds come back when Raft replays its log after a restart.
        if (index > store.appliedIndex()) {
          bytes += it.getData().remaining();
          AppendOutcome outcome = applier.apply(batch, ShardEntry.parseFrom(it.getData()), index);
          lastIndex = index;
          Closure done = it.done();
          if (done instanceof AppendClosure c) {
            answers.add(
                () -> {
                  c.outcome(outcome);
                  c.run(Status.OK());
                });
          }
        } else if (it.done() != null) {
          it.done().run(new Status(RaftError.EINTERNAL, "entry %d was applied before", index));
        }
        it.next();
        passed++;
      }
      if (lastIndex > 0) {
        truncated = batch.truncated();
        long storedBefore = truncated.isEmpty() ? 0 : storedBytes(truncated);
        batch.commit(lastIndex);
        bytesSinceSnapshot += bytes;
        if (!truncated.isEmpty()) {
          droppedSinceSnapshot += Math.max(0, storedBefore - storedBytes(truncated));
        }
        changed = batch.changed();
      }
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // A corrupt entry or a failing disk: stop applying rather than diverge from the other
      // replicas.
      LOG.error("cannot apply entry {}; the state machine stops", it.getIndex(), e);
      // Nothing of this call reached the store: roll back to its first entry.
      it.setErrorAndRollback(
          Math.max(1, it.hasNext() ? passed + 1 : passed),
          new Status(RaftError.ESTATEMACHINE, "apply failed: %s", e.getMessage()));
      return;
    }
    if (!truncated.isEmpty()) {
      store.reclaim(truncated); // compacts in the background: nothing waits here
    }
    answers.forEach(Runnable::run);
    for (AppliedListener l : appliedListeners) {
      changed.forEach(l::onApplied);
    }
  }

  @Override
  public void onSnapshotSave(SnapshotWriter writer, Closure done) {
    Path db = Path.of(writer.getPath(), SNAPSHOT_DB);
    long start = System.nanoTime();
    try {
      store.checkpoint(db);
      long bytes = 0;
      try (Stream<Path> files = Files.list(db)) {
        for (Path f : files.toList()) {
          if (!writer.addFile(SNAPSHOT_DB + "/" + f.getFileName())) {
            throw new IOException("cannot add " + f + " to the snapshot");
          }
          bytes += Files.size(f);
        }
      }
      lastSnapshotIndex = store.appliedIndex();
      StateChanges changes = stateChanges();
      if (changes != null) {
        changes.snapshotTaken(lastSnapshotIndex, bytes, (System.nanoTime() - start) / 1_000_000);
      }
      // onSnapshotSave runs on the apply thread: no entry was applied since the checkpoint.
      bytesSinceSnapshot = 0;
      droppedSinceSnapshot = 0;
      events().snapshotTaken(System.nanoTime() - start, GroupEvents.sizeOf(db));
      done.run(Status.OK());
    } catch (IOException | RuntimeException e) {
      LOG.error("snapshot save failed", e);
      done.run(new Status(RaftError.EIO, "snapshot save failed: %s", e.getMessage()));
    }
  }

  @Override
  public boolean onSnapshotLoad(SnapshotReader reader) {
    if (reader.load() == null) {
      LOG.error("cannot read the snapshot's metadata in {}", reader.getPath());
      return false;
    }
    Path db = Path.of(reader.getPath(), SNAPSHOT_DB);
    if (!Files.isDirectory(db)) {
      LOG.error("snapshot {} has no {} directory", reader.getPath(), SNAPSHOT_DB);
      return false;
    }
    try {
      long snapshotApplied = RocksLogStore.appliedIndexOf(db);
      // After a restart the local store is usually at or past the snapshot: keep it, and let
      // replay skip what it holds. A store behind the snapshot (a new or lagging node) is replaced.
      if (store.appliedIndex() < snapshotApplied) {
        long was = store.appliedIndex();
        store.restoreFrom(db);
        StateChanges changes = stateChanges();
        if (changes != null) {
          changes.snapshotInstalled(snapshotApplied, was);
        }
        snapshotsInstalled.incrementAndGet();
        events().snapshotInstalled(GroupEvents.sizeOf(db));
      } else {
        LOG.info(
            "local store at index {} is not behind snapshot at {}: kept",
            store.appliedIndex(),
            snapshotApplied);
      }
      applier.reload(store);
      lastSnapshotIndex = store.appliedIndex();
      bytesSinceSnapshot = 0;
      droppedSinceSnapshot = 0;
      appliedListeners.forEach(AppliedListener::onReset);
      return true;
    } catch (RuntimeException e) {
      LOG.error("snapshot load from {} failed", reader.getPath(), e);
      return false;
    }
  }
}
