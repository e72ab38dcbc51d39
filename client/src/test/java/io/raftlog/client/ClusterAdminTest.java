package io.raftlog.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The membership calls refuse requests they would not send, before any node is asked. */
class ClusterAdminTest {
  /** No calls: each case below must fail before it reaches them. */
  private final ClusterAdmin admin = new ClusterAdmin(null);

  @Test
  void anEmptyNodeIdIsRefusedBeforeAnyCall() {
    assertEquals(
        "the node id is empty",
        assertThrows(IllegalArgumentException.class, () -> admin.drainNode(" ")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> admin.removeNode("", true));
    assertThrows(IllegalArgumentException.class, () -> admin.moveReplica(0, "1", ""));
    assertThrows(IllegalArgumentException.class, () -> admin.transferMetaLeader(""));
    assertThrows(NullPointerException.class, () -> admin.transferLeader(0, null));
  }

  @Test
  void aNegativeShardIsRefusedBeforeAnyCall() {
    assertEquals(
        "shard ids are >= 0, not -1",
        assertThrows(IllegalArgumentException.class, () -> admin.moveReplica(-1, "1", "2"))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> admin.transferLeader(-1, "2"));
  }
}
