package io.raftlog.auth;

import io.raftlog.acl.Operation;
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteConsumerRequest;
import io.raftlog.api.v1.DeleteStreamRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.GetConsumerRequest;
import io.raftlog.api.v1.JoinClusterRequest;
import io.raftlog.api.v1.ListConsumersRequest;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.api.v1.UpdateStreamRequest;
import io.raftlog.tls.Principals;
import io.raftlog.wire.StreamNames;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Each method of {@code raftlog.v1.Log} and what its request needs the ACL to grant
 * (docs/security.md has the table). The one place this mapping lives: a method missing here is
 * refused for every client ({@link #isMapped} lets a test check all of them are). Stateless.
 */
final class RequestNeeds {
  private static final Set<String> CLUSTER_CALLS =
      Set.of("TopStreams", "DrainNode", "RemoveNode", "MoveReplica", "TransferLeader");

  /** Methods with no request check: ListStreams answers only the streams the caller may see. */
  static final String LIST_STREAMS = "ListStreams";

  private RequestNeeds() {}

  static boolean isMapped(String method) {
    return switch (method) {
      case "Produce",
              "ProduceStream",
              "Consume",
              "ConsumeStream",
              "DescribeStream",
              "CreateStream",
              "UpdateStream",
              "DeleteStream",
              "Truncate",
              "CommitOffset",
              "GetConsumer",
              "ListConsumers",
              "DeleteConsumer",
              "GetCluster",
              "JoinCluster",
              LIST_STREAMS ->
          true;
      default -> CLUSTER_CALLS.contains(method);
    };
  }

  /**
   * What {@code request} of {@code method} needs granted to {@code principal}: empty when nothing
   * (ListStreams; a node joining as itself); null for a method this class does not know.
   */
  static List<Need> of(String method, Object request, Principals principals, String principal) {
    return switch (method) {
      case "Produce", "ProduceStream" -> produce((ProduceRequest) request);
      case "Consume", "ConsumeStream" ->
          one(Operation.CONSUME, ((ConsumeRequest) request).getStream());
      case "DescribeStream" ->
          List.of(
              new Need(
                  Operation.CONSUME,
                  StreamNames.orDefault(((DescribeStreamRequest) request).getStream()),
                  true));
      case "CreateStream" -> one(Operation.ADMIN, ((CreateStreamRequest) request).getStream());
      case "UpdateStream" -> one(Operation.ADMIN, ((UpdateStreamRequest) request).getStream());
      case "DeleteStream" -> one(Operation.ADMIN, ((DeleteStreamRequest) request).getStream());
      case "Truncate" -> one(Operation.ADMIN, ((TruncateRequest) request).getStream());
      case "CommitOffset" -> one(Operation.CONSUME, ((CommitOffsetRequest) request).getStream());
      case "GetConsumer" -> one(Operation.CONSUME, ((GetConsumerRequest) request).getStream());
      case "ListConsumers" -> one(Operation.CONSUME, ((ListConsumersRequest) request).getStream());
      case "DeleteConsumer" ->
          one(Operation.CONSUME, ((DeleteConsumerRequest) request).getStream());
      // Clients route by GetCluster (leaders, the slot map): whoever holds any grant may ask.
      case "GetCluster" -> List.of(new Need(Operation.CLUSTER, "*", true));
      // A node's certificate lets it ask to join as itself, and as no one else.
      case "JoinCluster" ->
          principal.equals(principals.nodePrincipal(((JoinClusterRequest) request).getNodeId()))
              ? List.of()
              : List.of(Need.of(Operation.CLUSTER, "*"));
      case LIST_STREAMS -> List.of();
      default -> CLUSTER_CALLS.contains(method) ? List.of(Need.of(Operation.CLUSTER, "*")) : null;
    };
  }

  private static List<Need> one(Operation op, String stream) {
    return List.of(Need.of(op, StreamNames.orDefault(stream)));
  }

  /** {@code produce} on every stream the batch names: its parts', or its one stream's. */
  static List<Need> produce(ProduceRequest request) {
    if (request.getPartsCount() == 0) {
      return one(Operation.PRODUCE, request.getStream());
    }
    Set<String> streams = new LinkedHashSet<>();
    for (StreamRecords part : request.getPartsList()) {
      streams.add(StreamNames.orDefault(part.getStream()));
    }
    List<Need> needs = new ArrayList<>(streams.size());
    for (String s : streams) {
      needs.add(Need.of(Operation.PRODUCE, s));
    }
    return needs;
  }
}
