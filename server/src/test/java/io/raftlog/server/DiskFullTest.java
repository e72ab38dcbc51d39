package io.raftlog.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteConsumerRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.config.ConfigKeys;
import io.raftlog.replication.RaftState;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.SmallDisk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose data directory fills up (issue 12): it refuses writes with RESOURCE_EXHAUSTED and
 * reports NOT_SERVING, hands away what it leads, the other two go on taking writes, and once space
 * is freed it serves again and holds exactly what they hold. Each node's data directory is a small
 * tmpfs ({@link SmallDisk}), so the full disk is real: the load the others take fills the rest of
 * it, and the full node's Raft log meets ENOSPC (JRaft then stops that member until it is
 * restarted).
 */
class DiskFullTest {
  // RocksDB preallocates ~18 MiB per Raft log's WAL file (two groups per node here): a node starts
  // with about 110 MiB of 160 usable, and the healthy ones keep far more than MIN_FREE after the
  // load.
  private static final int DISK_MB = 160;
  private static final long MIN_FREE = 16L << 20;
  private static final String STREAM = "a";
  private static final int RECORD_BYTES = 64 << 10;
  private static final long PRODUCER = 7;

  @TempDir Path dir;
  private final List<SmallDisk> disks = new ArrayList<>();
  private InProcessCluster<RaftlogServer> cluster;
  private long sequence;

  @BeforeEach
  void mount() throws IOException {
    Assumptions.assumeTrue(
        SmallDisk.mountPermitted(),
        "mounting a tmpfs needs root (CI runs as root); without it a full disk cannot be made");
    for (String id : List.of("1", "2", "3")) {
      // InProcessCluster keeps node N's data in root/node-N: the mount is the whole data dir.
      disks.add(SmallDisk.mount(dir.resolve("node-" + id), DISK_MB));
    }
  }

  /** Three nodes on the small disks, one shard, refusing writes below {@code minFree} bytes. */
  private void start(long minFree) {
    cluster =
        InProcessCluster.start(
            dir,
            3,
            Map.of(
                ConfigKeys.CLUSTER_SHARDS.name(),
                "1",
                ConfigKeys.STORAGE_MIN_FREE_BYTES.name(),
                Long.toString(minFree)),
            RaftlogServer::start);
  }

  @AfterEach
  void stopAndUnmount() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
    for (SmallDisk d : disks) {
      d.close();
    }
  }

  @Test
  void aFollowerWithAFullDiskRefusesWritesWhileTheOthersGoOnAndCatchesUpOnceSpaceIsFreed()
      throws IOException {
    start(MIN_FREE);
    String leader = cluster.awaitLeader(STREAM);
    String full = otherThan(leader);
    fillAndCheckTheClusterCarriesOn(full, leader);
  }

  @Test
  void theShardLeaderWithAFullDiskHandsItsLeadershipAwayAndCatchesUpOnceSpaceIsFreed()
      throws IOException {
    start(MIN_FREE);
    String full = cluster.awaitLeader(STREAM);
    disk(full).fill(1 << 20);
    Await.until(
        Duration.ofSeconds(10),
        "node " + full + " to hand away the shard's leadership and the meta group's",
        () -> !cluster.node(full).leads(0) && !cluster.node(full).leadsMeta());
    String leader = cluster.awaitLeader(STREAM);
    assertFalse(leader.equals(full), "the full node leads again");
    fillAndCheckTheClusterCarriesOn(full, leader);
  }

  /**
   * With a floor too low to act on, the leader's own Raft log meets ENOSPC: JRaft stops its member
   * (STATE_ERROR), another node is elected and takes the writes, and the node restarts the member
   * by itself once space is freed, then holds what the others hold.
   */
  @Test
  void theShardLeaderWhoseRaftLogMeetsEnospcStepsDownAndRecoversOnceSpaceIsFreed()
      throws IOException {
    start(1);
    String full = cluster.awaitLeader(STREAM);
    String other = otherThan(full);
    produce(other, 0, 4);
    disk(full).fill(256 << 10);
    long next = 4;
    for (int i = 0; i < 48; i++) {
      produce(other, next, 8); // through the other node: forwarded while the full node leads
      next += 8;
    }
    assertFalse(cluster.node(full).leads(0), "a leader whose Raft log cannot append still leads");
    assertEquals(ServingStatus.NOT_SERVING, health(full, ""));
    // A member in STATE_ERROR has no indexes for JRaft to give (it throws): GetCluster answers
    // anyway, with the indexes the member last had.
    assertEquals(
        3,
        cluster
            .blocking(full)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .getCluster(GetClusterRequest.getDefaultInstance())
            .getNodesCount());
    disk(full).free();
    awaitCaughtUp(full, other, next);
  }

  /**
   * Fills {@code full}'s disk, checks what it answers, loads the cluster through {@code leader}
   * (which must go on acknowledging), frees the space and checks {@code full} catches up.
   */
  private void fillAndCheckTheClusterCarriesOn(String full, String leader) throws IOException {
    produce(leader, 0, 4); // the stream exists everywhere before the disk fills
    disk(full).fill(1 << 20);
    Await.until(
        Duration.ofSeconds(5),
        "node " + full + " to report NOT_SERVING",
        () -> health(full, "") == ServingStatus.NOT_SERVING);
    assertEquals(ServingStatus.NOT_SERVING, health(full, LogGrpc.SERVICE_NAME));

    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                cluster
                    .blocking(full)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .produce(
                        ProduceRequest.newBuilder()
                            .setStream(STREAM)
                            .addRecords(Record.newBuilder().setValue(value(4)))
                            .build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode(), refused::toString);
    String why = refused.getStatus().getDescription();
    assertTrue(
        why.contains("node " + full)
            && why.contains(dir.resolve("node-" + full).toString())
            && why.contains(ConfigKeys.STORAGE_MIN_FREE_BYTES.name()),
        why);
    StatusRuntimeException createRefused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                cluster
                    .blocking(full)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .createStream(CreateStreamRequest.newBuilder().setStream("b").build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, createRefused.getStatus().getCode());
    // A consumer commit adds state: refused too. A Truncate only frees space: let through (here it
    // truncates nothing), as is a DeleteConsumer (which finds no such consumer).
    StatusRuntimeException commitRefused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                cluster
                    .blocking(full)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .commitOffset(
                        CommitOffsetRequest.newBuilder()
                            .setStream(STREAM)
                            .setConsumer("c")
                            .setOffset(1)
                            .build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, commitRefused.getStatus().getCode());
    assertEquals(
        4,
        cluster
            .blocking(full)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .truncate(TruncateRequest.newBuilder().setStream(STREAM).setBeforeOffset(0).build())
            .getNextOffset());
    StatusRuntimeException noConsumer =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                cluster
                    .blocking(full)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .deleteConsumer(
                        DeleteConsumerRequest.newBuilder()
                            .setStream(STREAM)
                            .setConsumer("c")
                            .build()));
    assertEquals(Status.Code.NOT_FOUND, noConsumer.getStatus().getCode(), noConsumer::toString);
    // GetCluster, asked of either node, says why the full node takes no writes (`raftlog cluster`
    // showed it "ok").
    for (String via : List.of(full, leader)) {
      String error =
          cluster
              .blocking(via)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .getCluster(GetClusterRequest.getDefaultInstance())
              .getNodesList()
              .stream()
              .filter(n -> n.getId().equals(full))
              .findFirst()
              .orElseThrow()
              .getError();
      assertTrue(
          error.contains("out of disk space"),
          "node " + full + " as " + via + " sees it: " + error);
    }

    // The other two carry on, and more than the full node's remaining space (1 MiB and what is
    // left of its preallocated WAL file) goes through them: its Raft log meets ENOSPC.
    long next = 4;
    for (int i = 0; i < 48; i++) {
      produce(leader, next, 8); // 512 KiB a batch, 24 MiB in all
      next += 8;
    }
    assertEquals(ServingStatus.SERVING, health(leader, ""), "the healthy leader's disk filled too");
    assertFalse(cluster.node(full).leads(0), "a node with a full disk was handed the shard");
    // Reads of what the full node holds still work.
    assertTrue(cluster.node(full).nextOffset(STREAM) >= 4);

    disk(full).free();
    awaitCaughtUp(full, leader, next);
  }

  /**
   * Waits until {@code full} serves again and holds the stream's first {@code end} records as
   * {@code leader} does (every node's copy compared), then writes through it.
   */
  private void awaitCaughtUp(String full, String leader, long end) {
    Await.until(
        Duration.ofSeconds(30),
        "node " + full + " to serve again",
        () -> health(full, "") == ServingStatus.SERVING);
    Await.until(
        Duration.ofSeconds(30),
        "node " + full + " to catch up to offset " + end,
        () -> cluster.node(full).nextOffset(STREAM) == end);
    RaftState ahead = cluster.node(leader).raftState(0);
    Await.until(
        Duration.ofSeconds(10),
        "node " + full + " to apply what the leader applied",
        () -> cluster.node(full).raftState(0).appliedIndex() >= ahead.appliedIndex());
    Map<String, Long> digests = new HashMap<>();
    for (String id : cluster.ids()) {
      digests.put(id, digestLocal(id, end));
    }
    assertEquals(1, digests.values().stream().distinct().count(), "replicas differ: " + digests);
    produce(full, end, 1); // and it takes writes again
  }

  private String otherThan(String id) {
    return cluster.ids().stream().filter(i -> !i.equals(id)).findFirst().orElseThrow();
  }

  private SmallDisk disk(String id) {
    return disks.get(Integer.parseInt(id) - 1);
  }

  private ServingStatus health(String id, String service) {
    return HealthGrpc.newBlockingStub(cluster.channel(id))
        .withDeadlineAfter(2, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  /**
   * Appends {@code count} records of 64 KiB, numbered from {@code first}, through node {@code id},
   * as one idempotent batch, retried while the cluster answers UNAVAILABLE (an election on a busy
   * machine); other answers are retried too and reported on timeout.
   */
  private void produce(String id, long first, int count) {
    ProduceRequest.Builder b =
        ProduceRequest.newBuilder().setStream(STREAM).setProducerId(PRODUCER).setSequence(sequence);
    for (int i = 0; i < count; i++) {
      b.addRecords(Record.newBuilder().setValue(value(first + i)));
    }
    ProduceRequest request = b.build();
    long base =
        Await.value(
            Duration.ofSeconds(20),
            "node " + id + " to take the batch of record " + first,
            () -> {
              try {
                return cluster
                    .blocking(id)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .produce(request)
                    .getBaseOffset();
              } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED) {
                  return null;
                }
                throw e;
              }
            });
    sequence++;
    assertEquals(first, base, "batch of record " + first + " landed elsewhere");
  }

  private static ByteString value(long n) {
    byte[] v = new byte[RECORD_BYTES];
    byte[] label = ("record " + n).getBytes(StandardCharsets.UTF_8);
    System.arraycopy(label, 0, v, 0, label.length);
    return ByteString.copyFrom(v);
  }

  /** A CRC of the stream's first {@code count} records as node {@code id} holds them. */
  private long digestLocal(String id, long count) {
    CRC32 crc = new CRC32();
    long offset = 0;
    while (offset < count) {
      ConsumeResponse r =
          cluster
              .blocking(id)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .consume(
                  ConsumeRequest.newBuilder()
                      .setStream(STREAM)
                      .setOffset(offset)
                      .setMaxRecords(32)
                      .setConsistency(Consistency.LOCAL)
                      .build());
      assertTrue(r.getRecordsCount() > 0, "node " + id + " has nothing at offset " + offset);
      for (Record rec : r.getRecordsList()) {
        assertEquals(offset, rec.getOffset());
        crc.update(rec.getValue().asReadOnlyByteBuffer());
        offset++;
      }
    }
    return crc.getValue();
  }
}
