package io.raftlog.client;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.ShardInfo;
import io.raftlog.api.v1.StreamOffsets;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.wire.CallHeaders;
import io.raftlog.wire.StreamNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a sharded cluster, for testing the client's routing without the real nodes: a few
 * gRPC servers on local ports sharing one in-memory state (streams, per producer and shard
 * sequences), each shard led by one of them. A node that does not lead a batch's shard refuses it
 * with UNAVAILABLE and the leader's address in {@code raftlog-leader}, as a node that cannot
 * forward would. Only {@code GetCluster}, {@code Produce} and {@code ProduceStream} are served.
 */
final class FakeShardedCluster implements AutoCloseable {
  static final int SHARDS = 2;

  private final List<Node> nodes = new ArrayList<>();
  private final Map<Integer, Node> leaders = new ConcurrentHashMap<>();
  private final Map<String, List<String>> streams = new HashMap<>(); // guarded by this
  private final Map<String, Long> lastSequence = new HashMap<>(); // producer/shard, by this
  private final Map<String, ProduceResponse> answered = new HashMap<>(); // producer/shard/seq
  final AtomicInteger duplicates = new AtomicInteger();

  FakeShardedCluster(int nodeCount) throws IOException {
    for (int i = 0; i < nodeCount; i++) {
      nodes.add(new Node(String.valueOf(i + 1)));
    }
    for (int s = 0; s < SHARDS; s++) {
      leaders.put(s, nodes.get(s % nodeCount));
    }
  }

  static int shardOf(String stream) {
    return StreamNames.slotOf(stream) * SHARDS / StreamNames.SLOT_COUNT;
  }

  Node node(int i) {
    return nodes.get(i);
  }

  Node leader(int shard) {
    return leaders.get(shard);
  }

  List<String> addresses() {
    return nodes.stream().map(n -> n.address).toList();
  }

  /**
   * Moves {@code shard}'s leadership to {@code to}; the old leader ends its streams of it. Returns
   * how many it ended.
   */
  int moveLeader(int shard, Node to) {
    Node old = leaders.put(shard, to);
    int ended = 0;
    if (old != to) {
      for (OpenStream s : old.open) {
        if (s.shard == shard) {
          s.fail(notLeader(old, shard));
          ended++;
        }
      }
    }
    return ended;
  }

  synchronized List<String> values(String stream) {
    return List.copyOf(streams.getOrDefault(stream, List.of()));
  }

  synchronized Map<String, List<String>> allStreams() {
    return Map.copyOf(streams);
  }

  private Status notLeader(Node node, int shard) {
    return Status.UNAVAILABLE.withDescription("node " + node.id + " does not lead shard " + shard);
  }

  private Metadata trailers(Node node, int shard) {
    Metadata md = new Metadata();
    md.put(CallHeaders.NODE, node.id);
    md.put(CallHeaders.LEADER, leaders.get(shard).address);
    return md;
  }

  /** Appends a batch the way a shard leader would; null when the sequence is out of order. */
  private synchronized ProduceResponse append(int shard, ProduceRequest r) {
    String producer = r.getProducerId() + "/" + shard;
    ProduceResponse before = answered.get(producer + "/" + r.getSequence());
    if (before != null) {
      duplicates.incrementAndGet();
      return before.toBuilder().setDuplicate(true).build();
    }
    long last = lastSequence.getOrDefault(producer, -1L);
    if (r.getSequence() != last + 1) {
      return null;
    }
    ProduceResponse.Builder answer = ProduceResponse.newBuilder().setSequence(r.getSequence());
    for (StreamRecords p : r.getPartsList()) {
      List<String> log = streams.computeIfAbsent(p.getStream(), k -> new ArrayList<>());
      answer.addAppended(
          StreamOffsets.newBuilder()
              .setStream(p.getStream())
              .setBaseOffset(log.size())
              .setRecordCount(p.getRecordsCount()));
      for (Record rec : p.getRecordsList()) {
        log.add(rec.getValue().toStringUtf8());
      }
    }
    answer.setBaseOffset(answer.getAppended(0).getBaseOffset());
    answer.setRecordCount(answer.getAppended(0).getRecordCount());
    lastSequence.put(producer, r.getSequence());
    ProduceResponse done = answer.build();
    answered.put(producer + "/" + r.getSequence(), done);
    return done;
  }

  @Override
  public void close() {
    nodes.forEach(n -> n.server.shutdownNow());
  }

  /** One fake node: a gRPC server on a free local port. */
  final class Node extends LogGrpc.LogImplBase {
    final String id;
    final String address;
    final Server server;
    final List<OpenStream> open = new CopyOnWriteArrayList<>();
    final Map<Integer, AtomicInteger> streamsOpened = new ConcurrentHashMap<>();
    final AtomicInteger refused = new AtomicInteger();

    /** Appends batches on its streams but sends no answer, as a leader about to die would. */
    volatile boolean holdAnswers;

    /** Batches appended and not answered while holding answers. */
    final AtomicInteger held = new AtomicInteger();

    Node(String id) throws IOException {
      this.id = id;
      this.server = NettyServerBuilder.forPort(0).addService(this).build().start();
      this.address = "127.0.0.1:" + server.getPort();
    }

    @Override
    public void getCluster(GetClusterRequest request, StreamObserver<GetClusterResponse> out) {
      GetClusterResponse.Builder b =
          GetClusterResponse.newBuilder().setSlotCount(StreamNames.SLOT_COUNT);
      for (Node n : nodes) {
        b.addNodes(NodeInfo.newBuilder().setId(n.id).setClientAddress(n.address));
      }
      for (int s = 0; s < SHARDS; s++) {
        b.addShards(ShardInfo.newBuilder().setId(s).setLeaderId(leaders.get(s).id));
        b.addSlots(
            ShardMapTest.range(
                s * StreamNames.SLOT_COUNT / SHARDS,
                (s + 1) * StreamNames.SLOT_COUNT / SHARDS - 1,
                s));
      }
      out.onNext(b.build());
      out.onCompleted();
    }

    @Override
    public void produce(ProduceRequest request, StreamObserver<ProduceResponse> out) {
      int shard = shardOf(request.getParts(0).getStream());
      if (leaders.get(shard) != this) {
        refused.incrementAndGet();
        out.onError(notLeader(this, shard).asRuntimeException(trailers(this, shard)));
        return;
      }
      ProduceResponse answer = append(shard, request);
      if (answer == null) {
        out.onError(
            Status.FAILED_PRECONDITION
                .withDescription("sequence gap")
                .asRuntimeException(trailers(this, shard)));
        return;
      }
      out.onNext(answer);
      out.onCompleted();
    }

    @Override
    public StreamObserver<ProduceRequest> produceStream(StreamObserver<ProduceResponse> out) {
      OpenStream s = new OpenStream(this, out);
      open.add(s);
      return s;
    }
  }

  /** One ProduceStream on one node; bound to the shard of its first batch. */
  final class OpenStream implements StreamObserver<ProduceRequest> {
    final Node node;
    final StreamObserver<ProduceResponse> out;
    int shard = -1;
    boolean ended;

    OpenStream(Node node, StreamObserver<ProduceResponse> out) {
      this.node = node;
      this.out = out;
    }

    @Override
    public synchronized void onNext(ProduceRequest r) {
      if (ended) {
        return;
      }
      int s = shardOf(r.getParts(0).getStream());
      for (StreamRecords p : r.getPartsList()) {
        if (shardOf(p.getStream()) != s) {
          fail(Status.INVALID_ARGUMENT.withDescription("parts in different shards"));
          return;
        }
      }
      if (shard < 0) {
        shard = s;
        node.streamsOpened.computeIfAbsent(s, k -> new AtomicInteger()).incrementAndGet();
      }
      if (leaders.get(s) != node) {
        node.refused.incrementAndGet();
        fail(notLeader(node, s));
        return;
      }
      ProduceResponse answer = append(s, r);
      if (answer == null) {
        fail(Status.FAILED_PRECONDITION.withDescription("sequence gap"));
        return;
      }
      if (node.holdAnswers) {
        node.held.incrementAndGet();
        return;
      }
      out.onNext(answer);
    }

    synchronized void fail(Status status) {
      if (!ended) {
        ended = true;
        node.open.remove(this);
        out.onError(status.asRuntimeException(trailers(node, Math.max(shard, 0))));
      }
    }

    @Override
    public synchronized void onError(Throwable t) {
      ended = true;
      node.open.remove(this);
    }

    @Override
    public synchronized void onCompleted() {
      if (!ended) {
        ended = true;
        node.open.remove(this);
        out.onCompleted();
      }
    }
  }
}
