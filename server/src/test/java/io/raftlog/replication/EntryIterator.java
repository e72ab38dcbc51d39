package io.raftlog.replication;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import io.raftlog.internal.v1.ShardEntry;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Hands committed entries to a state machine the way JRaft's apply loop does: index order, one at a
 * time, with the leader's closure where there is one.
 */
class EntryIterator implements Iterator {
  record Entry(long index, ShardEntry entry, Closure done) {}

  private final List<Entry> entries;
  private int pos;
  Status error;

  EntryIterator(List<Entry> entries) {
    this.entries = entries;
  }

  @Override
  public ByteBuffer getData() {
    return ByteBuffer.wrap(entries.get(pos).entry().toByteArray());
  }

  @Override
  public long getIndex() {
    return entries.get(pos).index();
  }

  @Override
  public long getTerm() {
    return 1;
  }

  @Override
  public Closure done() {
    return entries.get(pos).done();
  }

  @Override
  public void setErrorAndRollback(long ntail, Status st) {
    error = st;
    pos = entries.size();
  }

  @Override
  public boolean commit() {
    return false;
  }

  @Override
  public void commitAndSnapshotSync(Closure done) {
    throw new UnsupportedOperationException("not used by LogStateMachine");
  }

  @Override
  public void setAutoCommitPerLog(boolean status) {}

  @Override
  public boolean hasNext() {
    return pos < entries.size();
  }

  @Override
  public ByteBuffer next() {
    ByteBuffer data = getData();
    pos++;
    return data;
  }
}
