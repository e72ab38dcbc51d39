package io.raftlog.replication;

import com.alipay.sofa.jraft.Status;
import io.raftlog.config.NodeConfig;
import io.raftlog.config.Peer;
import io.raftlog.internal.v1.CatalogEntry;
import io.raftlog.internal.v1.ClusterLayout;
import io.raftlog.internal.v1.StreamSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * This node's replica of the meta group, which holds the catalog: the cluster's layout (nodes,
 * shards and their replicas, slot map) and the settings of streams that have some. Owned by {@link
 * Replicas}. Writes must be made on the meta group's leader; any replica reads.
 */
public final class Catalog implements AutoCloseable {
  static final String GROUP = "meta";

  private final CatalogStateMachine fsm;
  private final GroupMember member;

  Catalog(
      NodeConfig config,
      List<Peer> replicas,
      Path dir,
      ClusterLayout initial,
      RoleListener roles,
      RaftTransport transport) {
    this.fsm = new CatalogStateMachine(initial);
    fsm.roleListener(roles);
    // The first leader writes the layout every node derived from its config; a later leader
    // proposes it again only if it has not seen it applied (harmless: the first one wins).
    fsm.leadershipListener(
        leads -> {
          if (leads && fsm.layout() == null) {
            propose(CatalogEntry.newBuilder().setForm(initial).build());
          }
        });
    this.member = new GroupMember(GROUP, config, replicas, dir, fsm, transport);
  }

  /** The layout in the catalog, or null until the meta group's first leader has written it. */
  public ClusterLayout layout() {
    return fsm.layout();
  }

  /** A stream's settings as this replica has applied them; empty for a stream without any. */
  public Map<String, String> settings(String stream) {
    return fsm.settings(stream);
  }

  public int streamsWithSettings() {
    return fsm.streamsWithSettings();
  }

  /** Stores a stream's settings; this node must lead the meta group. */
  public CompletableFuture<Void> putSettings(String stream, Map<String, String> settings) {
    return propose(
        CatalogEntry.newBuilder()
            .setPutSettings(StreamSettings.newBuilder().setStream(stream).putAllSettings(settings))
            .build());
  }

  /** Forgets a stream's settings; this node must lead the meta group. */
  public CompletableFuture<Void> deleteSettings(String stream) {
    return propose(CatalogEntry.newBuilder().setDeleteSettings(stream).build());
  }

  /** Completes once this replica has applied every catalog entry committed before the call. */
  public CompletableFuture<Void> readBarrier() {
    return member.readBarrier();
  }

  public boolean isLeader() {
    return member.isLeader();
  }

  /** The meta group's leader, or null while none is known. */
  public Peer leader() {
    return member.leader();
  }

  public List<Peer> replicas() {
    return member.replicas();
  }

  public RaftState state() {
    return member.state(fsm.term());
  }

  private CompletableFuture<Void> propose(CatalogEntry entry) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    member.propose(
        entry.toByteArray(),
        (Status st) -> {
          if (st.isOk()) {
            result.complete(null);
          } else {
            result.completeExceptionally(ReplicationException.ofAppend(st));
          }
        });
    return result;
  }

  GroupMember member() {
    return member;
  }

  void shutdown() {
    member.shutdown();
  }

  @Override
  public void close() throws InterruptedException {
    member.close();
  }
}
