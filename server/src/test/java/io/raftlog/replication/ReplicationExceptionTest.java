package io.raftlog.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.error.RaftError;
import io.raftlog.replication.ReplicationException.Kind;
import org.junit.jupiter.api.Test;

class ReplicationExceptionTest {

  private static ReplicationException append(RaftError err, String msg) {
    return ReplicationException.ofAppend(new Status(err, msg));
  }

  @Test
  void aFullApplyQueueIsOverloadButATransferIsALeadershipChange() {
    assertEquals(
        Kind.OVERLOADED, append(RaftError.EBUSY, "Node is busy, has too many tasks").kind());
    assertEquals(
        Kind.LEADERSHIP_LOST, append(RaftError.EBUSY, "Is transferring leadership.").kind());
  }

  @Test
  void shutdownAndEverythingElse() {
    assertEquals(Kind.SHUTTING_DOWN, append(RaftError.ENODESHUTDOWN, "down").kind());
    assertEquals(Kind.SHUTTING_DOWN, append(RaftError.ESHUTDOWN, "down").kind());
    assertEquals(Kind.LEADERSHIP_LOST, append(RaftError.EPERM, "Is not leader.").kind());
    assertEquals(Kind.LEADERSHIP_LOST, append(RaftError.ESTATEMACHINE, "apply failed").kind());
  }

  @Test
  void theMessageIsJraftsAndAReadBarrierFailsOneWay() {
    assertEquals("Is not leader.", append(RaftError.EPERM, "Is not leader.").getMessage());
    ReplicationException read =
        ReplicationException.ofReadBarrier(new Status(RaftError.EBUSY, "too many reads"));
    assertEquals(Kind.READ_BARRIER_FAILED, read.kind());
    assertEquals("too many reads", read.getMessage());
  }
}
