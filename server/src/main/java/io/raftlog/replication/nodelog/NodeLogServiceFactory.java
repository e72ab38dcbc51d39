package io.raftlog.replication.nodelog;

import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;

/**
 * JRaft's service factory for this node's groups: JRaft's own everything (Raft metadata, snapshots,
 * the entry codec) except the log storage, which is the group's view of the node's one {@link
 * NodeLogDb} (the log URI is not used: a group is known by its id, given at init). Shared by every
 * group member of the node; called by JRaft when a member starts.
 */
public final class NodeLogServiceFactory extends DefaultJRaftServiceFactory {
  private final NodeLogDb db;

  public NodeLogServiceFactory(NodeLogDb db) {
    this.db = db;
  }

  @Override
  public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
    if (!raftOptions.isSync()) {
      // Every write here is synced; a group that asked otherwise would be told a lie about it.
      throw new IllegalArgumentException("the node's Raft log syncs every append");
    }
    return new GroupLogStorage(db);
  }
}
