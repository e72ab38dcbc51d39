package io.raftlog.client;

import static io.raftlog.client.ResendQueueTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamOffsets;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.wire.StreamNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Batching per shard, with no cluster and no sender thread: records of many streams share their
 * shard's batch as parts, each stream's records in send order; each shard's batches are numbered on
 * their own.
 */
class StreamBatchingTest {
  private static final Duration LONG_LINGER = Duration.ofHours(1);

  /** Streams a and b live in shard 0, c in shard 1. */
  private static final Map<String, Integer> SHARDS = Map.of("a", 0, "b", 0, "c", 1);

  private static final RecordAccumulator.Router BY_NAME = (stream, wait) -> SHARDS.get(stream);

  @Test
  void recordsOfOneShardShareABatchAsPartsEachStreamInSendOrder() {
    RecordAccumulator acc = accumulator(1 << 20, BY_NAME);
    Map<String, CompletableFuture<Long>> futures = new LinkedHashMap<>();
    for (String v : List.of("a1", "b1", "a2", "c1", "b2", "a3", "c2")) {
      futures.put(v, acc.append(v.substring(0, 1), record(v)));
    }
    acc.sealOpen();
    List<ProducerBatch> drained = acc.drain(5, System.nanoTime());
    assertEquals(2, drained.size(), "one batch per shard");
    Map<Integer, ProducerBatch> byShard = new HashMap<>();
    drained.forEach(b -> byShard.put(b.shard, b));

    ProduceRequest zero = byShard.get(0).request(42);
    assertEquals(42, zero.getProducerId());
    assertEquals(0, zero.getRecordsCount(), "a batch goes as parts");
    assertEquals(List.of("a", "b"), zero.getPartsList().stream().map(p -> p.getStream()).toList());
    assertEquals(List.of("a1", "a2", "a3"), values(zero.getParts(0)));
    assertEquals(List.of("b1", "b2"), values(zero.getParts(1)));
    assertFalse(zero.getParts(0).hasExpectedOffset());
    ProduceRequest one = byShard.get(1).request(42);
    assertEquals(List.of("c1", "c2"), values(one.getParts(0)));

    // The futures are the parts', in the parts' order.
    assertEquals(
        List.of(futures.get("a1"), futures.get("a2"), futures.get("a3")),
        byShard.get(0).parts.get("a").offsets);
    assertEquals(5, byShard.get(0).recordCount);
  }

  @Test
  void eachPartIsAnsweredWithItsOwnStreamsOffsets() {
    ProducerBatch b = new ProducerBatch(0, System.nanoTime());
    List<CompletableFuture<Long>> f = new ArrayList<>();
    for (String v : List.of("a1", "b1", "a2")) {
      CompletableFuture<Long> offset = new CompletableFuture<>();
      b.add(v.substring(0, 1), record(v), offset);
      f.add(offset);
    }
    ProduceResponse answer =
        ProduceResponse.newBuilder()
            .addAppended(offsets("a", 10, 2))
            .addAppended(offsets("b", 0, 1))
            .setBaseOffset(10)
            .setRecordCount(2)
            .build();
    assertTrue(b.answeredBy(answer));
    assertFalse(
        b.answeredBy(answer.toBuilder().setAppended(1, offsets("b", 0, 2)).build()),
        "a part's count differs");
    assertFalse(
        b.answeredBy(answer.toBuilder().setAppended(1, offsets("x", 0, 1)).build()),
        "another stream");
    assertFalse(b.answeredBy(answer.toBuilder().clearAppended().build()), "parts unlisted");
  }

  @Test
  void aConditionalAppendGoesInABatchOfItsOwnAfterTheShardsOpenBatch() {
    RecordAccumulator acc = accumulator(1 << 20, BY_NAME);
    acc.append("b", record("b1"));
    acc.appendAllAndSeal("a", List.of(record("a1"), record("a2")), 7L);
    acc.append("a", record("a3"));
    acc.sealOpen();
    List<ProducerBatch> drained = acc.drain(5, System.nanoTime());
    assertEquals(3, drained.size());
    assertEquals(List.of("b1"), values(drained.get(0).request(1).getParts(0)));
    ProduceRequest conditional = drained.get(1).request(1);
    assertEquals(1, conditional.getPartsCount(), "shared with no other stream");
    assertEquals(7, conditional.getParts(0).getExpectedOffset());
    assertEquals(List.of("a1", "a2"), values(conditional.getParts(0)));
    assertEquals(List.of("a3"), values(drained.get(2).request(1).getParts(0)));
    assertFalse(drained.get(2).request(1).getParts(0).hasExpectedOffset());
  }

  @Test
  void eachShardHasItsOwnRoomInFlight() {
    RecordAccumulator acc = accumulator(1, BY_NAME); // every record seals its batch
    acc.append("a", record("a1"));
    acc.append("c", record("c1"));
    acc.append("a", record("a2"));
    List<ProducerBatch> drained = acc.drain(shard -> shard == 0 ? 0 : 5, System.nanoTime());
    assertEquals(1, drained.size(), "shard 0 has no room");
    assertEquals(1, drained.get(0).shard);
    drained = acc.drain(shard -> shard == 0 ? 1 : 5, System.nanoTime());
    assertEquals(1, drained.size());
    assertEquals(List.of(record("a1")), drained.get(0).records(), "oldest first");
  }

  @Test
  void lingerIsTimedPerShardAndOnlyForShardsThatCanSend() {
    Duration linger = Duration.ofMillis(200);
    RecordAccumulator acc =
        new RecordAccumulator(
            RecordAccumulatorTest.options(1 << 20, 1 << 20, Duration.ZERO, linger),
            BY_NAME,
            () -> {});
    acc.append("a", record("a1"));
    long t0 = System.nanoTime();
    assertEquals(Long.MAX_VALUE, acc.nanosToLingerEnd(t0, shard -> shard != 0));
    assertTrue(acc.nanosToLingerEnd(t0, shard -> true) <= linger.toNanos());
    acc.append("c", record("c1"));
    long past = System.nanoTime() + linger.toNanos();
    List<ProducerBatch> drained = acc.drain(shard -> shard == 1 ? 5 : 0, past);
    assertEquals(1, drained.size(), "only the shard with room sends its lingered batch");
    assertEquals(1, drained.get(0).shard);
  }

  @Test
  void writingRoundRobinOverAHundredThousandStreamsStillFillsBigBatches() {
    int shards = 6;
    ShardMap map = ShardMap.of(StreamNames.SLOT_COUNT, ShardMapTest.layout(shards));
    int batchBytes = 256 << 10;
    RecordAccumulator acc =
        new RecordAccumulator(
            RecordAccumulatorTest.options(batchBytes, 256L << 20, Duration.ZERO),
            (stream, wait) -> map.shardOf(stream),
            () -> {});
    int streams = 100_000;
    int total = 2 * streams;
    Record value = Record.newBuilder().setValue(ByteString.copyFrom(new byte[100])).build();
    String[] names = new String[streams];
    for (int i = 0; i < streams; i++) {
      names[i] = "stream-" + i;
    }
    for (int i = 0; i < total; i++) {
      acc.append(names[i % streams], value);
    }
    List<ProducerBatch> full = acc.drain(Integer.MAX_VALUE, System.nanoTime());
    long bytes = (long) total * (value.getSerializedSize() + 8);
    long perPart = "stream-99999".length() + 8;
    long maxBatches = (bytes + total * perPart) / (batchBytes - 200) + 1;
    assertTrue(
        full.size() <= maxBatches && full.size() >= maxBatches - 2 * shards,
        full.size() + " full batches, about " + maxBatches + " expected");
    int records = 0;
    for (ProducerBatch b : full) {
      assertTrue(b.size > batchBytes - 200, "a full batch: " + b.size + " bytes");
      assertTrue(b.parts.size() > 1000, "many streams per batch: " + b.parts.size());
      for (ProducerBatch.Part p : b.parts.values()) {
        assertEquals(shardOf(map, p.stream), b.shard, "every part in the batch's shard");
      }
      records += b.recordCount;
    }
    acc.sealOpen();
    for (ProducerBatch b : acc.drain(Integer.MAX_VALUE, System.nanoTime())) {
      records += b.recordCount;
    }
    assertEquals(total, records, "every record once");
  }

  @Test
  void eachShardNumbersItsBatchesOnItsOwnAndResendsOnlyItsOwn() {
    RecordAccumulator acc = accumulator(1, BY_NAME); // every record seals its batch
    for (String v : List.of("a1", "c1", "b1", "c2", "a2")) {
      acc.append(v.substring(0, 1), record(v));
    }
    Map<Integer, ResendQueue> lanes = new HashMap<>();
    Map<Integer, List<ProducerBatch>> sent = new HashMap<>();
    for (ProducerBatch b : acc.drain(5, System.nanoTime())) {
      ResendQueue q =
          lanes.computeIfAbsent(
              b.shard, s -> new ResendQueue(Duration.ofSeconds(10), new Backoff(ms(100), ms(100))));
      q.assign(b);
      sent.computeIfAbsent(b.shard, s -> new ArrayList<>()).add(b);
    }
    assertEquals(List.of(0L, 1L, 2L), sent.get(0).stream().map(b -> b.sequence).toList());
    assertEquals(List.of(0L, 1L), sent.get(1).stream().map(b -> b.sequence).toList());
    assertEquals(
        List.of("a1", "b1", "a2"),
        sent.get(0).stream().map(b -> b.records().get(0).getValue().toStringUtf8()).toList(),
        "a shard's batches in send order");

    long now = System.nanoTime();
    assertNull(lanes.get(0).streamFailed(sent.get(0), Status.INTERNAL, now));
    assertSame(sent.get(0).get(0), lanes.get(0).due(now), "shard 0 resends its own");
    assertTrue(lanes.get(1).isEmpty(), "shard 1 is untouched");
    assertNull(lanes.get(1).due(now));
    ProducerBatch later = new ProducerBatch(1, now);
    lanes.get(1).assign(later);
    assertEquals(2, later.sequence);
  }

  @Test
  void aConditionalBatchsFailedPreconditionIsNeverTakenForASequenceGap() {
    ResendQueue q = new ResendQueue(Duration.ofSeconds(10), new Backoff(ms(100), ms(100)));
    long now = System.nanoTime();
    ProducerBatch expired = new ProducerBatch(0, now - Duration.ofMinutes(1).toNanos());
    expired.add("a", record("x"), new CompletableFuture<>());
    ProducerBatch conditional = new ProducerBatch(0, now);
    conditional.add("a", record("y"), new CompletableFuture<>());
    conditional.expectedOffset = 3L;
    q.assign(expired);
    q.assign(conditional);
    assertTrue(q.streamFailed(List.of(expired, conditional), Status.UNAVAILABLE, now) != null);
    assertEquals(1, q.uncertain());
    assertSame(conditional, q.due(now));
    q.resendStarted();
    q.answered(conditional);
    ResendQueue.GivenUp givenUp =
        q.resendFailed(
            conditional,
            Status.FAILED_PRECONDITION.withDescription("stream a: next offset is 5"),
            now);
    assertSame(conditional, givenUp.batch(), "given up, not renumbered");
    assertEquals(Status.Code.FAILED_PRECONDITION, givenUp.error().code());
    assertTrue(givenUp.error().getMessage().contains("next offset is 5"));
    assertEquals(1, conditional.sequence);
  }

  private static int shardOf(ShardMap map, String stream) {
    return map.shardOf(stream);
  }

  private static Duration ms(long n) {
    return Duration.ofMillis(n);
  }

  private static StreamOffsets offsets(String stream, long base, int count) {
    return StreamOffsets.newBuilder()
        .setStream(stream)
        .setBaseOffset(base)
        .setRecordCount(count)
        .build();
  }

  private static List<String> values(StreamRecords part) {
    return part.getRecordsList().stream().map(r -> r.getValue().toStringUtf8()).toList();
  }

  private static RecordAccumulator accumulator(int batchBytes, RecordAccumulator.Router router) {
    return new RecordAccumulator(
        RecordAccumulatorTest.options(batchBytes, 1 << 20, Duration.ZERO, LONG_LINGER),
        router,
        () -> {});
  }
}
