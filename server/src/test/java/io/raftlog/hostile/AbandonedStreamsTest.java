package io.raftlog.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of ConsumeStream and ProduceStream calls started and then dropped (their channel shut
 * down without a half-close, or the call cancelled): afterwards every node has released them (no
 * open calls, no tail subscriptions), its thread count is back and its heap is bounded. Issue 12.
 */
class AbandonedStreamsTest {
  static final int CALLS = 3_000;
  static final int CHANNELS = 30;

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void start() {
    cluster = InProcessCluster.start(dir, 3, Map.of(), RaftlogServer::start);
    cluster.awaitShardLeaders();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void abandonedConsumeAndProduceStreamsAreReleased() throws Exception {
    String stream = "abandoned";
    cluster.blocking(cluster.awaitLeader(stream)).produce(batch(stream, "first"));
    awaitReleased();
    long threadsBefore = ownThreads();
    long heapBefore = usedHeapAfterGc();

    // A follower of the stream's shard: its ProduceStreams are relayed to the leader.
    String leader = cluster.awaitLeader(stream);
    String node = cluster.ids().stream().filter(i -> !i.equals(leader)).findFirst().orElseThrow();
    RaftlogServer server = cluster.node(node);
    List<ManagedChannel> channels = new ArrayList<>();
    List<ClientCallStreamObserver<?>> cancellable = new ArrayList<>();
    AtomicInteger produced = new AtomicInteger();
    int acknowledged = 0;
    AtomicInteger turnedAway = new AtomicInteger();
    List<Status.Code> produceErrors = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Status> otherErrors = java.util.Collections.synchronizedList(new ArrayList<>());
    try {
      for (int c = 0; c < CHANNELS; c++) {
        channels.add(
            NettyChannelBuilder.forTarget(cluster.clientAddress(node)).usePlaintext().build());
      }
      for (int i = 0; i < CALLS; i++) {
        LogGrpc.LogStub stub = LogGrpc.newStub(channels.get(i % CHANNELS));
        stub.consumeStream(
            ConsumeRequest.newBuilder().setStream(stream).setConsistency(Consistency.LOCAL).build(),
            new Ignoring<ConsumeResponse>(i % 2 == 0 ? cancellable : null) {
              @Override
              public void onError(Throwable t) {
                // Starts beyond the read queue (1,024) are turned away, as they should be.
                if (Status.fromThrowable(t).getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                  turnedAway.incrementAndGet();
                } else {
                  otherErrors.add(Status.fromThrowable(t));
                }
              }
            });
        var produce =
            stub.produceStream(
                new Ignoring<ProduceResponse>(i % 2 == 0 ? cancellable : null) {
                  @Override
                  public void onNext(ProduceResponse r) {
                    produced.incrementAndGet();
                  }

                  @Override
                  public void onError(Throwable t) {
                    produceErrors.add(Status.fromThrowable(t).getCode());
                  }
                });
        produce.onNext(batch(stream, "p" + i)); // sent, never half-closed
      }
      Await.until(
          Duration.ofSeconds(60),
          "every tail subscribed or turned away on node " + node,
          () -> server.openTailStreams() + turnedAway.get() + otherErrors.size() == CALLS);
      assertEquals(List.of(), otherErrors);
      assertTrue(server.openTailStreams() > 0, "some tails subscribed");
      try {
        Await.until(
            Duration.ofSeconds(60),
            "every produce stream answered",
            () -> produced.get() + produceErrors.size() == CALLS);
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage()
                + ": "
                + produced
                + " answered, errors "
                + produceErrors.size()
                + ", open calls "
                + server.openCalls()
                + ", tails "
                + server.openTailStreams(),
            e);
      }
      // A leadership change under way answers UNAVAILABLE, as documented; nothing else may fail.
      assertEquals(
          List.of(),
          produceErrors.stream().filter(c -> c != Status.Code.UNAVAILABLE).distinct().toList(),
          "produce errors");
      assertTrue(
          server.openCalls() >= CALLS + server.openTailStreams(),
          "open calls " + server.openCalls());
      acknowledged = produced.get();
    } finally {
      // Half of the calls cancelled, the rest dropped with their channels: no half-close.
      synchronized (cancellable) {
        cancellable.forEach(c -> c.cancel("abandoned", null));
      }
      for (ManagedChannel ch : channels) {
        ch.shutdownNow();
      }
      for (ManagedChannel ch : channels) {
        ch.awaitTermination(10, TimeUnit.SECONDS);
      }
    }
    awaitReleased();
    // Threads that still work for a call once every call is gone are what a leak looks like. An
    // idle pool worker (gRPC's default executor is a cached pool whose idle threads end after 60 s)
    // holds nothing, so it is not counted, and the test need not wait a minute for it to end.
    // (JRaft's and bolt's pools grow with load and stay; they are sized by JRaft, not per call.)
    try {
      Await.until(
          Duration.ofSeconds(30),
          "threads at work back to where they were",
          () -> ownThreads() <= threadsBefore + 10);
    } catch (AssertionError e) {
      throw new AssertionError(
          "threads at work "
              + threadsBefore
              + " before, "
              + ownThreads()
              + " after: "
              + threadsByName(),
          e);
    }
    long heapAfter = usedHeapAfterGc();
    assertTrue(
        heapAfter - heapBefore < (64L << 20),
        "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MiB and stayed");
    // And the stream is whole: the first record and every acknowledged produce.
    long next =
        cluster
            .blocking(leader)
            .consume(ConsumeRequest.newBuilder().setStream(stream).setMaxRecords(1).build())
            .getNextOffset();
    assertTrue(next >= 1 + acknowledged && next <= 1 + CALLS, next + " after " + acknowledged);
  }

  static void awaitReleased() {
    for (String id : cluster.ids()) {
      RaftlogServer n = cluster.node(id);
      Await.until(
          Duration.ofSeconds(30),
          "node " + id + " to release every call",
          () -> n.openTailStreams() == 0 && n.openCalls() == 0);
    }
  }

  /**
   * Live threads of gRPC and of raftlog itself (the ones a call could leave behind), but not the
   * idle workers of a pool: a thread waiting in {@code ThreadPoolExecutor.getTask} for its next
   * task holds nothing of any call.
   */
  static long ownThreads() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(
            e ->
                e.getKey().getName().startsWith("grpc-")
                    || e.getKey().getName().startsWith("raftlog-"))
        .filter(e -> !idlePoolWorker(e.getValue()))
        .count();
  }

  static boolean idlePoolWorker(StackTraceElement[] stack) {
    for (StackTraceElement f : stack) {
      if (f.getClassName().equals("java.util.concurrent.ThreadPoolExecutor")
          && f.getMethodName().equals("getTask")) {
        return true;
      }
    }
    return false;
  }

  /** Live threads at work by name, digits dropped: which pool grew. */
  static Map<String, Long> threadsByName() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> !idlePoolWorker(e.getValue()))
        .map(Map.Entry::getKey)
        .collect(
            java.util.stream.Collectors.groupingBy(
                t -> t.getName().replaceAll("[0-9]+", "#"),
                java.util.TreeMap::new,
                java.util.stream.Collectors.counting()));
  }

  static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  static ProduceRequest batch(String stream, String value) {
    return ProduceRequest.newBuilder()
        .setStream(stream)
        .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(value)))
        .build();
  }

  /** Takes a call's answers and drops them; remembers the call to cancel it later if asked. */
  static class Ignoring<T> implements ClientResponseObserver<Object, T> {
    private final List<ClientCallStreamObserver<?>> toCancel;

    Ignoring(List<ClientCallStreamObserver<?>> toCancel) {
      this.toCancel = toCancel;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Object> call) {
      if (toCancel != null) {
        synchronized (toCancel) {
          toCancel.add(call);
        }
      }
    }

    @Override
    public void onNext(T value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
