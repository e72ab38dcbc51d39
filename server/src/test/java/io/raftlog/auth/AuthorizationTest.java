package io.raftlog.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteConsumerRequest;
import io.raftlog.api.v1.DeleteStreamRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.DrainNodeRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetConsumerRequest;
import io.raftlog.api.v1.JoinClusterRequest;
import io.raftlog.api.v1.ListConsumersRequest;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.MoveReplicaRequest;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.RemoveNodeRequest;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.api.v1.TopStreamsRequest;
import io.raftlog.api.v1.TransferLeaderRequest;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.api.v1.UpdateStreamRequest;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.ClusterLayout;
import io.raftlog.testkit.ClusterTls;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.Records;
import io.raftlog.testkit.TestPki;
import io.raftlog.wire.CallHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authorization on a three-node mutual-TLS cluster whose nodes each read their own ACL file (the
 * same rules, but node 1 also grants bob): every Log call is refused PERMISSION_DENIED naming the
 * principal, the operation and the stream when no line grants it, and served when one does; a
 * forwarded call is decided for the client, not the forwarding node; a client cannot forge a node's
 * marks; the files reload.
 */
class AuthorizationTest {
  private static final String RULES =
      String.join(
          "\n",
          "allow " + ClusterTls.KIT_PRINCIPAL + " produce,consume,admin *",
          "allow " + ClusterTls.KIT_PRINCIPAL + " cluster *",
          "allow alice produce,consume,admin orders.*",
          "allow carol consume orders.*",
          "allow ops cluster *",
          "");

  @TempDir static Path dir;
  private static TestPki pki;
  private static ClusterTls tls;
  private static InProcessCluster<RaftlogServer> cluster;
  private static final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  @BeforeAll
  static void startCluster() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
    tls = ClusterTls.of(pki, "mtls");
    for (String id : List.of("1", "2", "3")) {
      Files.writeString(acl(id), rules(id, ""));
    }
    cluster =
        InProcessCluster.start(
            dir.resolve("nodes"),
            3,
            Map.of("acl.reload-interval-ms", "200", "http.port", ClusterLayout.HTTP_PORT_FREE),
            tls,
            props -> {
              props.setProperty("acl.file", acl(props.getProperty("node.id")).toString());
              return RaftlogServer.start(props);
            });
    cluster.awaitShardLeaders();
    LogGrpc.LogBlockingStub kit = cluster.blocking("1").withDeadlineAfter(10, TimeUnit.SECONDS);
    kit.produce(Records.batch("a").toBuilder().setStream("orders.a").build());
    kit.produce(Records.batch("s").toBuilder().setStream("secret.s").build());
  }

  @AfterAll
  static void stopCluster() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Path acl(String id) {
    return dir.resolve("acl-" + id);
  }

  /** Node {@code id}'s rules: the shared ones, node 1's grant to bob, and {@code extra}. */
  private static String rules(String id, String extra) {
    return RULES + (id.equals("1") ? "allow bob produce,consume shared.*\n" : "") + extra;
  }

  private static ManagedChannel channel(String principal, String node) {
    return channels.computeIfAbsent(
        principal + "@" + node,
        k ->
            NettyChannelBuilder.forTarget(
                    cluster.clientAddress(node), tls.credentials(pki.client(principal)))
                .build());
  }

  private static LogGrpc.LogBlockingStub blocking(String principal, String node) {
    return LogGrpc.newBlockingStub(channel(principal, node))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** One Log call, made by some principal through some node. */
  @FunctionalInterface
  interface Call {
    void run(LogGrpc.LogBlockingStub blocking, LogGrpc.LogStub async) throws Exception;
  }

  /** The status {@code call} ends with when {@code principal} makes it through node 1. */
  private static Status statusOf(String principal, Call call) {
    return statusOf(principal, "1", call);
  }

  private static Status statusOf(String principal, String node, Call call) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    Status s;
    do {
      s = once(principal, node, call);
    } while (s.getCode() == Status.Code.UNAVAILABLE && System.nanoTime() < until);
    return s;
  }

  private static Status once(String principal, String node, Call call) {
    try {
      call.run(
          blocking(principal, node),
          LogGrpc.newStub(channel(principal, node)).withDeadlineAfter(10, TimeUnit.SECONDS));
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ProduceRequest batch(String stream) {
    return Records.batch("x").toBuilder().setStream(stream).build();
  }

  private static void produceStream(LogGrpc.LogStub async, String stream) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    StreamObserver<ProduceRequest> in =
        async.produceStream(
            new StreamObserver<ProduceResponse>() {
              @Override
              public void onNext(ProduceResponse r) {}

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(null);
              }
            });
    in.onNext(batch(stream));
    in.onCompleted();
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw (StatusRuntimeException) e.getCause();
    }
  }

  private static void consumeStream(LogGrpc.LogBlockingStub b, String stream) {
    b.withDeadlineAfter(3, TimeUnit.SECONDS)
        .consumeStream(ConsumeRequest.newBuilder().setStream(stream).build())
        .hasNext();
  }

  /** A row: the call, made on {@code stream}, needing {@code op}. */
  private record Row(String rpc, String op, String stream, Call call) {}

  /** Every stream call of the Log service, on {@code s}. */
  private static List<Row> streamCalls(String s) {
    return List.of(
        new Row("Produce", "produce", s, (b, a) -> b.produce(batch(s))),
        new Row("ProduceStream", "produce", s, (b, a) -> produceStream(a, s)),
        new Row(
            "Consume",
            "consume",
            s,
            (b, a) -> b.consume(ConsumeRequest.newBuilder().setStream(s).build())),
        new Row("ConsumeStream", "consume", s, (b, a) -> consumeStream(b, s)),
        new Row(
            "DescribeStream",
            "consume",
            s,
            (b, a) -> b.describeStream(DescribeStreamRequest.newBuilder().setStream(s).build())),
        new Row(
            "CommitOffset",
            "consume",
            s,
            (b, a) ->
                b.commitOffset(
                    CommitOffsetRequest.newBuilder().setStream(s).setConsumer("c").build())),
        new Row(
            "GetConsumer",
            "consume",
            s,
            (b, a) ->
                b.getConsumer(
                    GetConsumerRequest.newBuilder().setStream(s).setConsumer("c").build())),
        new Row(
            "ListConsumers",
            "consume",
            s,
            (b, a) -> b.listConsumers(ListConsumersRequest.newBuilder().setStream(s).build())),
        new Row(
            "DeleteConsumer",
            "consume",
            s,
            (b, a) ->
                b.deleteConsumer(
                    DeleteConsumerRequest.newBuilder().setStream(s).setConsumer("c").build())),
        new Row(
            "CreateStream",
            "admin",
            s + ".new",
            (b, a) ->
                b.createStream(CreateStreamRequest.newBuilder().setStream(s + ".new").build())),
        new Row(
            "UpdateStream",
            "admin",
            s + ".new",
            (b, a) ->
                b.updateStream(UpdateStreamRequest.newBuilder().setStream(s + ".new").build())),
        new Row(
            "Truncate",
            "admin",
            s,
            (b, a) ->
                b.truncate(TruncateRequest.newBuilder().setStream(s).setBeforeOffset(0).build())),
        new Row(
            "DeleteStream",
            "admin",
            s + ".new",
            (b, a) ->
                b.deleteStream(DeleteStreamRequest.newBuilder().setStream(s + ".new").build())));
  }

  /** Every cluster call, made harmless: unknown nodes and shards, a join that only checks. */
  private static final List<Row> CLUSTER_CALLS =
      List.of(
          new Row(
              "TopStreams",
              "cluster",
              null,
              (b, a) -> b.topStreams(TopStreamsRequest.getDefaultInstance())),
          new Row(
              "JoinCluster",
              "cluster",
              null,
              (b, a) ->
                  b.joinCluster(
                      JoinClusterRequest.newBuilder()
                          .setNodeId("99")
                          .setRaftAddress("127.0.0.1:1")
                          .setClientAddress("127.0.0.1:2")
                          .setCheckOnly(true)
                          .build())),
          new Row(
              "DrainNode",
              "cluster",
              null,
              (b, a) -> b.drainNode(DrainNodeRequest.newBuilder().setNodeId("99").build())),
          new Row(
              "RemoveNode",
              "cluster",
              null,
              (b, a) -> b.removeNode(RemoveNodeRequest.newBuilder().setNodeId("99").build())),
          new Row(
              "MoveReplica",
              "cluster",
              null,
              (b, a) ->
                  b.moveReplica(
                      MoveReplicaRequest.newBuilder()
                          .setShard(999)
                          .setFromNode("98")
                          .setToNode("99")
                          .build())),
          new Row(
              "TransferLeader",
              "cluster",
              null,
              (b, a) ->
                  b.transferLeader(
                      TransferLeaderRequest.newBuilder().setShard(999).setToNode("99").build())));

  @Test
  void eachCallIsRefusedNamingThePrincipalTheOperationAndTheStreamWithoutAGrant() {
    // carol may consume orders.*: every call on other.s, and every call needing more on orders.*
    List<Row> rows = new ArrayList<>();
    for (Row r : streamCalls("other.s")) {
      rows.add(r);
    }
    for (Row r : streamCalls("orders.a")) {
      if (!r.op().equals("consume")) {
        rows.add(r);
      }
    }
    rows.addAll(CLUSTER_CALLS);
    for (Row r : rows) {
      Status s = statusOf("carol", r.call());
      assertEquals(Status.Code.PERMISSION_DENIED, s.getCode(), r.rpc() + " " + s);
      String what = r.op().equals("cluster") ? "make cluster calls" : r.op() + " " + r.stream();
      assertTrue(
          s.getDescription().startsWith("carol may not " + what + " (no rule in ")
              && s.getDescription().endsWith(" grants it)"),
          r.rpc() + ": " + s.getDescription());
    }
    Status getCluster =
        statusOf("nobody", (b, a) -> b.getCluster(GetClusterRequest.getDefaultInstance()));
    assertEquals(Status.Code.PERMISSION_DENIED, getCluster.getCode(), getCluster.toString());
    assertTrue(
        getCluster.getDescription().startsWith("nobody may not make cluster calls"),
        getCluster.toString());
  }

  @Test
  void eachCallIsServedWithTheRightGrant() {
    for (Row r : streamCalls("orders.a")) {
      Status s = statusOf("alice", r.call());
      assertNotEquals(Status.Code.PERMISSION_DENIED, s.getCode(), r.rpc() + " " + s);
    }
    for (Row r : streamCalls("orders.a")) {
      if (r.op().equals("consume")) {
        Status s = statusOf("carol", r.call());
        assertNotEquals(Status.Code.PERMISSION_DENIED, s.getCode(), r.rpc() + " " + s);
      }
    }
    for (Row r : CLUSTER_CALLS) {
      Status s = statusOf("ops", r.call());
      assertNotEquals(Status.Code.PERMISSION_DENIED, s.getCode(), r.rpc() + " " + s);
    }
    // Clients route by GetCluster: any grant lets a principal ask it.
    assertEquals(
        Status.OK,
        statusOf("carol", (b, a) -> b.getCluster(GetClusterRequest.getDefaultInstance())));
  }

  @Test
  void listStreamsAnswersOnlyTheStreamsTheCallerHoldsAGrantOn() {
    assertEquals(List.of("orders.a"), listed("alice"));
    assertEquals(List.of("orders.a"), listed("carol"));
    assertEquals(List.of(), listed("nobody"));
    assertTrue(listed(ClusterTls.KIT_PRINCIPAL).contains("secret.s"));
  }

  private static List<String> listed(String principal) {
    List<String> names = new ArrayList<>();
    for (String node : cluster.ids()) {
      for (StreamInfo s :
          blocking(principal, node)
              .listStreams(ListStreamsRequest.getDefaultInstance())
              .getStreamsList()) {
        if (node.equals("1")) {
          names.add(s.getName());
        }
      }
    }
    return names.stream().filter(n -> !n.startsWith("shared.") && !n.contains(".new")).toList();
  }

  @Test
  void aForwardedCallIsDecidedForTheClientNotTheForwardingNode() {
    // Node 1 grants bob shared.*; the others do not. A write goes to its shard's leader. A
    // leadership may move meanwhile on a loaded machine: then the stream is chosen again.
    RaftlogServer one = cluster.node("1");
    Await.until(
        Duration.ofSeconds(20),
        "bob refused by another leader",
        () -> {
          String stream = sharedStream(false);
          Status s = statusOf("bob", (b, a) -> b.produce(batch(stream)));
          if (s.isOk() && one.leads(one.shardOf(stream))) {
            return false; // node 1 took the leadership meanwhile
          }
          assertEquals(Status.Code.PERMISSION_DENIED, s.getCode(), s.toString());
          String leaderAcl =
              s.getDescription().substring(s.getDescription().indexOf(" in ") + 4).split(" ")[0];
          assertEquals(
              "bob may not produce " + stream + " (no rule in " + leaderAcl + " grants it)",
              s.getDescription());
          assertTrue(
              leaderAcl.equals(acl("2").toString()) || leaderAcl.equals(acl("3").toString()),
              leaderAcl);
          return true;
        });
    // Where node 1 leads, its own grant decides.
    Await.until(
        Duration.ofSeconds(20),
        "bob served by node 1 as the leader",
        () -> {
          String stream = sharedStream(true);
          if (stream == null) {
            return true; // node 1 leads no shard now: nothing to show
          }
          Status s = statusOf("bob", (b, a) -> b.produce(batch(stream)));
          assertTrue(s.isOk() || !one.leads(one.shardOf(stream)), s.toString());
          return s.isOk();
        });
  }

  /** A stream of shared.* whose shard node 1 leads ({@code ledByNode1}) or not; null if none. */
  private static String sharedStream(boolean ledByNode1) {
    RaftlogServer one = cluster.node("1");
    for (int i = 0; i < 200; i++) {
      String s = "shared." + i;
      if (one.leads(one.shardOf(s)) == ledByNode1) {
        return s;
      }
    }
    return null;
  }

  @Test
  void aClientCannotForgeANodesMarks() {
    for (Metadata.Key<String> mark :
        List.of(
            CallHeaders.CALLER,
            CallHeaders.FORWARDED_BY,
            CallHeaders.CATALOG_DONE,
            CallHeaders.LIST_SHARDS)) {
      for (String who : List.of("alice", "node-9")) { // node-9: a node's name, but no member
        Metadata md = new Metadata();
        md.put(mark, mark == CallHeaders.CALLER ? ClusterTls.KIT_PRINCIPAL : "1");
        Status s =
            statusOf(
                who,
                (b, a) ->
                    b.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                        .produce(batch("orders.a")));
        assertEquals(Status.Code.PERMISSION_DENIED, s.getCode(), mark.name() + " " + s);
        assertEquals(
            "only nodes of this cluster may set "
                + mark.name()
                + " (forwarded calls and the nodes' own marks); "
                + who
                + " is not a node",
            s.getDescription());
      }
    }
  }

  @Test
  void theAclFilesReloadAndABrokenOneKeepsTheRulesInUse() throws Exception {
    Call consume = (b, a) -> b.consume(ConsumeRequest.newBuilder().setStream("orders.a").build());
    assertEquals(Status.Code.PERMISSION_DENIED, statusOf("dave", consume).getCode());
    writeAll("allow dave consume orders.*\n");
    Await.until(Duration.ofSeconds(5), "dave's grant", () -> statusOf("dave", consume).isOk());
    writeAll("allow dave consume orders.*\nallow dave read orders.*\n"); // line 7: broken
    Thread.sleep(600); // three intervals: read, refused, the rules in use kept
    assertEquals(Status.OK, statusOf("dave", consume));
    writeAll("");
    Await.until(
        Duration.ofSeconds(5),
        "dave's grant gone",
        () -> statusOf("dave", consume).getCode() == Status.Code.PERMISSION_DENIED);
  }

  @Test
  void otlpExportsNeedProduceOnTheirStreamsAndOtlpHttpIsAnonymous() throws Exception {
    ExportLogsServiceRequest export =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(
                ResourceLogs.newBuilder()
                    .setResource(
                        Resource.newBuilder()
                            .addAttributes(
                                KeyValue.newBuilder()
                                    .setKey("service.name")
                                    .setValue(AnyValue.newBuilder().setStringValue("checkout"))))
                    .addScopeLogs(
                        ScopeLogs.newBuilder()
                            .addLogRecords(
                                LogRecord.newBuilder()
                                    .setBody(AnyValue.newBuilder().setStringValue("paid")))))
            .build();
    StatusRuntimeException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () ->
                LogsServiceGrpc.newBlockingStub(channel("alice", "1"))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .export(export));
    assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
    assertTrue(
        refused.getStatus().getDescription().startsWith("alice may not produce logs.checkout"),
        refused.getStatus().toString());
    assertEquals( // the kit may produce to every stream
        Status.OK,
        statusOf(
            ClusterTls.KIT_PRINCIPAL,
            (b, a) ->
                LogsServiceGrpc.newBlockingStub(b.getChannel())
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .export(export)));
    HttpResponse<String> http =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://" + cluster.httpAddress("1") + "/v1/logs"))
                    .header("Content-Type", "application/x-protobuf")
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(export.toByteArray()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(403, http.statusCode(), http.body());
    assertTrue(http.body().contains("anonymous may not produce logs.checkout"), http.body());
  }

  private static void writeAll(String extra) throws Exception {
    for (String id : cluster.ids()) {
      Path tmp = dir.resolve("acl-" + id + ".tmp");
      Files.writeString(tmp, rules(id, extra));
      Files.move(tmp, acl(id), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
