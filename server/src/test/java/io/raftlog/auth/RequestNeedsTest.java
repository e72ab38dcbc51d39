package io.raftlog.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.MethodDescriptor;
import io.raftlog.acl.Operation;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.JoinClusterRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.tls.Principals;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one map from a Log call to what the ACL must grant: every method is in it. */
class RequestNeedsTest {
  private static final Principals PRINCIPALS = new Principals("cn", "node-{id}");

  @Test
  void everyMethodOfTheLogServiceIsMapped() {
    for (MethodDescriptor<?, ?> m : LogGrpc.getServiceDescriptor().getMethods()) {
      assertTrue(RequestNeeds.isMapped(m.getBareMethodName()), m.getFullMethodName());
    }
    assertNull(RequestNeeds.of("Unheard", GetClusterRequest.getDefaultInstance(), PRINCIPALS, "a"));
  }

  @Test
  void aBatchNeedsProduceOnEachOfItsStreams() {
    ProduceRequest parts =
        ProduceRequest.newBuilder()
            .addParts(StreamRecords.newBuilder().setStream("a"))
            .addParts(StreamRecords.newBuilder().setStream("b"))
            .addParts(StreamRecords.newBuilder().setStream("a"))
            .build();
    assertEquals(
        List.of(Need.of(Operation.PRODUCE, "a"), Need.of(Operation.PRODUCE, "b")),
        RequestNeeds.of("ProduceStream", parts, PRINCIPALS, "x"));
    assertEquals(
        List.of(Need.of(Operation.PRODUCE, "default")),
        RequestNeeds.of("Produce", ProduceRequest.getDefaultInstance(), PRINCIPALS, "x"));
  }

  @Test
  void readsAdminAndClusterCalls() {
    assertEquals(
        List.of(Need.of(Operation.CONSUME, "s")),
        RequestNeeds.of(
            "ConsumeStream", ConsumeRequest.newBuilder().setStream("s").build(), PRINCIPALS, "x"));
    assertEquals(
        List.of(Need.of(Operation.ADMIN, "s")),
        RequestNeeds.of(
            "Truncate", TruncateRequest.newBuilder().setStream("s").build(), PRINCIPALS, "x"));
    assertEquals(
        List.of(new Need(Operation.CLUSTER, "*", true)),
        RequestNeeds.of("GetCluster", GetClusterRequest.getDefaultInstance(), PRINCIPALS, "x"));
    assertEquals(List.of(), RequestNeeds.of("ListStreams", null, PRINCIPALS, "x"));
  }

  @Test
  void aNodeMayAskToJoinAsItselfOnly() {
    JoinClusterRequest join = JoinClusterRequest.newBuilder().setNodeId("4").build();
    assertEquals(List.of(), RequestNeeds.of("JoinCluster", join, PRINCIPALS, "node-4"));
    List<Need> other = RequestNeeds.of("JoinCluster", join, PRINCIPALS, "node-5");
    assertNotNull(other);
    assertEquals(List.of(Need.of(Operation.CLUSTER, "*")), other);
  }
}
