package io.raftlog.replication;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import com.google.protobuf.InvalidProtocolBufferException;
import io.raftlog.internal.v1.CatalogEntry;
import io.raftlog.internal.v1.CatalogState;
import io.raftlog.internal.v1.ClusterLayout;
import io.raftlog.internal.v1.StreamSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the meta group's entries to the catalog, which lives in memory (it holds no records and
 * no entry for streams without settings, so it stays small) and is saved whole as one snapshot
 * file. JRaft calls every method here on the meta group's apply thread; readers on other threads
 * see the volatile layout and the concurrent settings map.
 */
final class CatalogStateMachine extends GroupStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogStateMachine.class);
  private static final String SNAPSHOT_FILE = "catalog.pb";

  private final ClusterLayout expected;
  private final Map<String, Map<String, String>> settings = new ConcurrentSkipListMap<>();
  private volatile ClusterLayout layout;
  private volatile Consumer<Boolean> leadership = leads -> {};
  private volatile Consumer<ClusterLayout> layoutListener = l -> {};

  /**
   * {@code expected}: the layout this node derived from its config, to compare with the catalog
   * (null for a node that joins).
   */
  CatalogStateMachine(ClusterLayout expected) {
    this.expected = expected;
  }

  /** Told (on the apply thread) when this node starts or stops leading the meta group. */
  void leadershipListener(Consumer<Boolean> leadership) {
    this.leadership = leadership;
  }

  /** Told (on the apply thread) each time the layout changes, with the new one. */
  void layoutListener(Consumer<ClusterLayout> listener) {
    this.layoutListener = listener;
  }

  /** The catalog's layout, or null before the first leader wrote it. */
  ClusterLayout layout() {
    return layout;
  }

  Map<String, String> settings(String stream) {
    return settings.getOrDefault(stream, Map.of());
  }

  int streamsWithSettings() {
    return settings.size();
  }

  // The index of the last entry applied, for the snapshot's log line; on the apply thread.
  private long appliedIndex;

  @Override
  public void onApply(Iterator it) {
    while (it.hasNext()) {
      try {
        apply(CatalogEntry.parseFrom(it.getData()));
        appliedIndex = it.getIndex();
        if (it.done() != null) {
          it.done().run(Status.OK());
        }
      } catch (InvalidProtocolBufferException e) {
        LOG.error("cannot parse catalog entry {}; the meta group stops", it.getIndex(), e);
        it.setErrorAndRollback(1, new Status(RaftError.ESTATEMACHINE, "corrupt catalog entry"));
        return;
      }
      it.next();
    }
  }

  private void apply(CatalogEntry e) {
    switch (e.getKindCase()) {
      case FORM -> form(e.getForm());
      case PUT_SETTINGS ->
          settings.put(
              e.getPutSettings().getStream(), Map.copyOf(e.getPutSettings().getSettingsMap()));
      case DELETE_SETTINGS -> settings.remove(e.getDeleteSettings());
      case ADD_NODE, SET_NODE_STATE, REMOVE_NODE, BEGIN_MOVE, END_MOVE, ABORT_MOVE -> {
        if (layout == null) {
          LOG.warn("ignoring a {} entry before the cluster was formed", e.getKindCase());
          return;
        }
        ClusterLayout changed = LayoutChanges.apply(layout, e);
        if (!changed.equals(layout)) {
          layout = changed;
          LOG.info("catalog: {}", LayoutChanges.describe(e));
          layoutListener.accept(changed);
        }
      }
      default -> LOG.warn("ignoring a catalog entry of unknown kind {}", e.getKindCase());
    }
  }

  private void form(ClusterLayout proposed) {
    if (layout == null) {
      layout = proposed;
      LOG.info(
          "cluster {} formed: {} nodes, {} shards, replication {}",
          proposed.getClusterId(),
          proposed.getNodesCount(),
          proposed.getShardsCount(),
          proposed.getReplication());
      layoutListener.accept(layout);
    }
    if (expected != null
        && (layout.getShardsCount() != expected.getShardsCount()
            || layout.getReplication() != expected.getReplication())) {
      LOG.error(
          "this node's config does not match the cluster's layout in the catalog (cluster.shards"
              + " and cluster.replication must be what they were when the cluster was formed):"
              + " catalog has {} shards and replication {}, config gives {} and {}",
          layout.getShardsCount(),
          layout.getReplication(),
          expected.getShardsCount(),
          expected.getReplication());
    }
  }

  @Override
  public void onSnapshotSave(SnapshotWriter writer, Closure done) {
    long start = System.nanoTime();
    CatalogState.Builder state = CatalogState.newBuilder();
    if (layout != null) {
      state.setLayout(layout);
    }
    settings.forEach(
        (stream, s) ->
            state.addStreams(StreamSettings.newBuilder().setStream(stream).putAllSettings(s)));
    try {
      byte[] bytes = state.build().toByteArray();
      Files.write(Path.of(writer.getPath(), SNAPSHOT_FILE), bytes);
      if (!writer.addFile(SNAPSHOT_FILE)) {
        throw new IOException("cannot add " + SNAPSHOT_FILE + " to the snapshot");
      }
      long took = System.nanoTime() - start;
      events().snapshotTaken(took, bytes.length);
      if (stateChanges() != null) {
        stateChanges().snapshotTaken(appliedIndex, bytes.length, took / 1_000_000);
      }
      done.run(Status.OK());
    } catch (IOException e) {
      LOG.error("catalog snapshot save failed", e);
      done.run(new Status(RaftError.EIO, "catalog snapshot save failed: %s", e.getMessage()));
    }
  }

  @Override
  public boolean onSnapshotLoad(SnapshotReader reader) {
    try {
      byte[] bytes = Files.readAllBytes(Path.of(reader.getPath(), SNAPSHOT_FILE));
      CatalogState state = CatalogState.parseFrom(bytes);
      if (reader.load() != null) {
        appliedIndex = reader.load().getLastIncludedIndex();
      }
      if (term() > 0) {
        // Loaded after the member saw a leader: one sent by the leader, not its own at start.
        events().snapshotInstalled(bytes.length);
      }
      layout = state.hasLayout() ? state.getLayout() : null;
      if (layout != null) {
        layoutListener.accept(layout);
      }
      settings.clear();
      state.getStreamsList().forEach(s -> settings.put(s.getStream(), s.getSettingsMap()));
      return true;
    } catch (IOException e) {
      LOG.error("cannot load the catalog snapshot in {}", reader.getPath(), e);
      return false;
    }
  }

  @Override
  protected void onLeadership(boolean leads) {
    leadership.accept(leads);
  }
}
