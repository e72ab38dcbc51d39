package io.raftlog.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteStreamRequest;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamRecords;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.wire.CallHeaders;
import io.raftlog.wire.StreamNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed, boundary and hostile values in every field of every Log RPC, sent to each node of a
 * real three-node cluster: each gets a precise status with a message a person can read (no stack
 * trace), and afterwards the records written before read back identical on every node and a new
 * produce works. Issue 12.
 */
class HostileRequestsTest {
  static final int MAX_RECORD = 1024;
  static final int MAX_BATCH = 16 * 1024;
  static final long TWO_TO_63 = Long.MIN_VALUE; // 2^63 as an unsigned uint64
  static final long TWO_TO_64_MINUS_1 = -1L;

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static final String INTACT = "intact";
  static List<Record> written;

  @BeforeAll
  static void start() {
    cluster =
        InProcessCluster.start(
            dir,
            3,
            Map.of(
                ConfigKeys.MAX_RECORD_BYTES.name(), String.valueOf(MAX_RECORD),
                ConfigKeys.MAX_BATCH_BYTES.name(), String.valueOf(MAX_BATCH)),
            RaftlogServer::start);
    cluster.awaitShardLeaders();
    ProduceRequest.Builder b = ProduceRequest.newBuilder().setStream(INTACT);
    for (int i = 0; i < 20; i++) {
      b.addRecords(
          Record.newBuilder()
              .setValue(ByteString.copyFromUtf8("record-" + i))
              .setKey(ByteString.copyFromUtf8("k" + i))
              .addHeaders(Header.newBuilder().setKey("h").setValue(ByteString.copyFromUtf8("v"))));
    }
    cluster.blocking(cluster.awaitLeader(INTACT)).produce(b.build());
    written = readAll(cluster.awaitLeader(INTACT), INTACT);
    assertEquals(20, written.size());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The log is intact after each case: same records on every node, and a new produce works. */
  @AfterEach
  void logIsIntact() {
    for (String id : cluster.ids()) {
      assertEquals(written, readAll(id, INTACT).subList(0, written.size()), "node " + id);
    }
    cluster.blocking(cluster.aFollower()).produce(batch("still-works", "x"));
  }

  static List<Record> readAll(String id, String stream) {
    List<Record> out = new ArrayList<>();
    while (true) {
      var r =
          cluster
              .blocking(id)
              .consume(
                  ConsumeRequest.newBuilder()
                      .setStream(stream)
                      .setOffset(out.size())
                      .setMaxRecords(1000)
                      .build());
      if (r.getRecordsCount() == 0) {
        return out;
      }
      out.addAll(r.getRecordsList());
    }
  }

  static ProduceRequest batch(String stream, String... values) {
    ProduceRequest.Builder b = ProduceRequest.newBuilder().setStream(stream);
    for (String v : values) {
      b.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(v)));
    }
    return b.build();
  }

  static Record value(int bytes) {
    return Record.newBuilder().setValue(ByteString.copyFrom(new byte[bytes])).build();
  }

  /** One hostile call: what it sends, and the status and message part it must get. */
  record Case(
      String name,
      Status.Code code,
      String messagePart,
      Function<LogGrpc.LogBlockingStub, Object> call) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case c(
      String name, Status.Code code, String part, Function<LogGrpc.LogBlockingStub, Object> call) {
    return new Case(name, code, part, call);
  }

  static final String NAME_255 = "n".repeat(StreamNames.MAX_BYTES);
  static final String NAME_256 = "n".repeat(StreamNames.MAX_BYTES + 1);

  static Stream<Case> rejected() {
    var INV = Status.Code.INVALID_ARGUMENT;
    var RANGE = Status.Code.OUT_OF_RANGE;
    var PRE = Status.Code.FAILED_PRECONDITION;
    var NF = Status.Code.NOT_FOUND;
    List<Case> cases = new ArrayList<>();
    // --- Produce: names
    for (String bad :
        List.of(NAME_256, "a\u0000b", "caf\u00e9", "\uD83D\uDE00", "a b", "a\nb", "x*", "..\\..")) {
      cases.add(
          c(
              "produce to stream " + printable(bad),
              INV,
              "stream name",
              s -> s.produce(batch(bad, "v"))));
      cases.add(
          c(
              "consume stream " + printable(bad),
              INV,
              "stream name",
              s -> s.consume(ConsumeRequest.newBuilder().setStream(bad).build())));
      cases.add(
          c(
              "create stream " + printable(bad),
              INV,
              "stream name",
              s -> s.createStream(CreateStreamRequest.newBuilder().setStream(bad).build())));
      cases.add(
          c(
              "describe stream " + printable(bad),
              INV,
              "stream name",
              s -> s.describeStream(DescribeStreamRequest.newBuilder().setStream(bad).build())));
      cases.add(
          c(
              "delete stream " + printable(bad),
              INV,
              "stream name",
              s -> s.deleteStream(DeleteStreamRequest.newBuilder().setStream(bad).build())));
    }
    // --- Produce: sizes
    cases.add(
        c(
            "record one byte over the limit",
            INV,
            "over the limit of " + MAX_RECORD,
            s -> s.produce(ProduceRequest.newBuilder().addRecords(value(MAX_RECORD + 1)).build())));
    cases.add(
        c(
            "record over the limit by its key",
            INV,
            "over the limit of " + MAX_RECORD,
            s ->
                s.produce(
                    ProduceRequest.newBuilder()
                        .addRecords(
                            value(MAX_RECORD / 2).toBuilder()
                                .setKey(ByteString.copyFrom(new byte[MAX_RECORD / 2 + 1])))
                        .build())));
    cases.add(
        c(
            "record over the limit by a header key's UTF-8 bytes",
            INV,
            "over the limit of " + MAX_RECORD,
            s ->
                s.produce(
                    ProduceRequest.newBuilder()
                        .addRecords(
                            Record.newBuilder()
                                .addHeaders(
                                    Header.newBuilder()
                                        .setKey("\u00e9".repeat(MAX_RECORD / 2 + 1))))
                        .build())));
    cases.add(
        c(
            "batch over the limit",
            INV,
            "log.max-batch-bytes",
            s -> {
              ProduceRequest.Builder b = ProduceRequest.newBuilder();
              for (int i = 0; i <= MAX_BATCH / MAX_RECORD; i++) {
                b.addRecords(value(MAX_RECORD - 8));
              }
              return s.produce(b.build());
            }));
    cases.add(
        c(
            "too many tiny records",
            INV,
            "log.max-batch-bytes",
            s -> {
              ProduceRequest.Builder b = ProduceRequest.newBuilder();
              for (int i = 0; i < MAX_BATCH; i++) {
                b.addRecords(Record.getDefaultInstance());
              }
              return s.produce(b.build());
            }));
    cases.add(
        c("empty batch", INV, "no records", s -> s.produce(ProduceRequest.getDefaultInstance())));
    // --- Produce: unsigned boundaries of expected_offset and sequences
    for (long v : new long[] {Long.MAX_VALUE, TWO_TO_63, TWO_TO_64_MINUS_1}) {
      cases.add(
          c(
              "expected_offset " + Long.toUnsignedString(v),
              PRE,
              "not the expected " + Long.toUnsignedString(v),
              s -> s.produce(batch(INTACT, "no").toBuilder().setExpectedOffset(v).build())));
      cases.add(
          c(
              "part expected_offset " + Long.toUnsignedString(v),
              PRE,
              "not the expected " + Long.toUnsignedString(v),
              s ->
                  s.produce(
                      ProduceRequest.newBuilder()
                          .addParts(
                              StreamRecords.newBuilder()
                                  .setStream(INTACT)
                                  .addRecords(value(1))
                                  .setExpectedOffset(v))
                          .build())));
      cases.add(
          c(
              "sequence " + Long.toUnsignedString(v) + " without producer",
              INV,
              "without a producer_id",
              s -> s.produce(batch(INTACT, "no").toBuilder().setSequence(v).build())));
    }
    // --- Produce: parts
    cases.add(
        c(
            "parts and stream together",
            INV,
            "use one form",
            s ->
                s.produce(
                    batch(INTACT, "no").toBuilder()
                        .addParts(StreamRecords.newBuilder().setStream(INTACT).addRecords(value(1)))
                        .build())));
    cases.add(
        c(
            "part without records",
            INV,
            "has no records",
            s ->
                s.produce(
                    ProduceRequest.newBuilder()
                        .addParts(StreamRecords.newBuilder().setStream(INTACT).addRecords(value(1)))
                        .addParts(StreamRecords.newBuilder().setStream(INTACT))
                        .build())));
    cases.add(
        c(
            "parts spanning shards",
            INV,
            "different shards",
            s -> {
              String other = streamInAnotherShardThan(INTACT);
              return s.produce(
                  ProduceRequest.newBuilder()
                      .addParts(StreamRecords.newBuilder().setStream(INTACT).addRecords(value(1)))
                      .addParts(StreamRecords.newBuilder().setStream(other).addRecords(value(1)))
                      .build());
            }));
    cases.add(
        c(
            "part with a bad name",
            INV,
            "stream name",
            s ->
                s.produce(
                    ProduceRequest.newBuilder()
                        .addParts(
                            StreamRecords.newBuilder().setStream("a/\u0001").addRecords(value(1)))
                        .build())));
    // --- Consume: offsets past the end, unsigned
    for (long v : new long[] {21_000, Long.MAX_VALUE, TWO_TO_63, TWO_TO_64_MINUS_1}) {
      for (Consistency consistency : List.of(Consistency.LINEARIZABLE, Consistency.LOCAL)) {
        cases.add(
            c(
                "consume " + consistency + " at offset " + Long.toUnsignedString(v),
                RANGE,
                "offset " + Long.toUnsignedString(v) + " is past the end",
                s ->
                    s.consume(
                        ConsumeRequest.newBuilder()
                            .setStream(INTACT)
                            .setOffset(v)
                            .setConsistency(consistency)
                            .build())));
      }
      cases.add(
          c(
              "consume stream at offset " + Long.toUnsignedString(v),
              RANGE,
              "past the end",
              s ->
                  s.consumeStream(
                          ConsumeRequest.newBuilder().setStream(INTACT).setOffset(v).build())
                      .hasNext()));
    }
    // --- Unknown enum values
    cases.add(
        c(
            "consume with consistency 99",
            INV,
            "consistency 99",
            s ->
                s.consume(
                    ConsumeRequest.newBuilder()
                        .setStream(INTACT)
                        .setConsistencyValue(99)
                        .build())));
    cases.add(
        c(
            "consume stream with consistency -1",
            INV,
            "consistency -1",
            s ->
                s.consumeStream(
                        ConsumeRequest.newBuilder()
                            .setStream(INTACT)
                            .setConsistencyValue(-1)
                            .build())
                    .hasNext()));
    cases.add(
        c(
            "describe with consistency 99",
            INV,
            "consistency 99",
            s ->
                s.describeStream(
                    DescribeStreamRequest.newBuilder()
                        .setStream(INTACT)
                        .setConsistencyValue(99)
                        .build())));
    // --- Missing streams
    cases.add(
        c(
            "consume a missing stream",
            NF,
            "'missing-1' does not exist",
            s -> s.consume(ConsumeRequest.newBuilder().setStream("missing-1").build())));
    cases.add(
        c(
            "describe a missing stream",
            NF,
            "'missing-1' does not exist",
            s ->
                s.describeStream(
                    DescribeStreamRequest.newBuilder().setStream("missing-1").build())));
    cases.add(
        c(
            "delete a missing stream",
            NF,
            "missing-1",
            s -> s.deleteStream(DeleteStreamRequest.newBuilder().setStream("missing-1").build())));
    cases.add(
        c(
            "create an existing stream",
            Status.Code.ALREADY_EXISTS,
            INTACT,
            s -> s.createStream(CreateStreamRequest.newBuilder().setStream(INTACT).build())));
    cases.add(
        c(
            "describe with an empty name",
            INV,
            "empty",
            s -> s.describeStream(DescribeStreamRequest.getDefaultInstance())));
    cases.add(
        c(
            "delete with an empty name",
            INV,
            "empty",
            s -> s.deleteStream(DeleteStreamRequest.getDefaultInstance())));
    // --- Settings
    Map<String, String> tooMany = new HashMap<>();
    for (int i = 0; i < 33; i++) {
      tooMany.put("k" + i, "v");
    }
    cases.add(settings("33 settings", tooMany, "at most 32"));
    cases.add(settings("a 65-byte key", Map.of("k".repeat(65), "v"), "1 to 64"));
    cases.add(settings("an empty key", Map.of("", "v"), "1 to 64"));
    cases.add(settings("a key with a NUL", Map.of("a\u0000b", "v"), "1 to 64"));
    cases.add(settings("an upper-case key", Map.of("Owner", "v"), "1 to 64"));
    cases.add(settings("a reserved key", Map.of("raftlog.retention", "v"), "reserved"));
    cases.add(settings("a 1025-byte value", Map.of("k", "v".repeat(1025)), "at most 1024"));
    cases.add(
        settings("a 1025-byte unicode value", Map.of("k", "\u00e9".repeat(513)), "1026 bytes"));
    cases.add(settings("a 512 KiB key", Map.of("k".repeat(512 << 10), "v"), "1 to 64"));
    return cases.stream();
  }

  static Case settings(String name, Map<String, String> settings, String part) {
    return c(
        "create with " + name,
        Status.Code.INVALID_ARGUMENT,
        part,
        s ->
            s.createStream(
                CreateStreamRequest.newBuilder()
                    .setStream("settings-case")
                    .putAllSettings(settings)
                    .build()));
  }

  static String streamInAnotherShardThan(String stream) {
    RaftlogServer node = cluster.node(cluster.ids().get(0));
    for (int i = 0; ; i++) {
      if (node.shardOf("other-" + i) != node.shardOf(stream)) {
        return "other-" + i;
      }
    }
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char ch :
        (s.length() > 12 ? s.substring(0, 12) + "..(" + s.length() + ")" : s).toCharArray()) {
      b.append(ch < 0x20 || ch > 0x7e ? String.format("\\u%04x", (int) ch) : ch);
    }
    return b.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void everyNodeRejectsItPrecisely(Case bad) {
    for (String id : cluster.ids()) {
      LogGrpc.LogBlockingStub stub = cluster.blocking(id).withDeadlineAfter(20, TimeUnit.SECONDS);
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> bad.call().apply(stub), "node " + id);
      Status s = e.getStatus();
      assertEquals(bad.code(), s.getCode(), "node " + id + ": " + s);
      String message = s.getDescription();
      assertNotNull(message, "node " + id + ": a message");
      assertFalse(message.contains("\tat ") || message.contains("Exception"), message);
      assertTrue(message.length() < 1024, "a short message, not " + message.length() + " chars");
      assertTrue(message.contains(bad.messagePart()), "node " + id + ": " + message);
    }
  }

  @Test
  void boundaryValuesThatAreAllowedAreAccepted() {
    var s = cluster.blocking(cluster.aFollower());
    // A 255-byte name, a record exactly at the limit, an empty record, a negative timestamp.
    assertEquals(0, s.produce(batch(NAME_255, "a")).getBaseOffset());
    assertEquals(
        1,
        s.produce(
                ProduceRequest.newBuilder()
                    .setStream(NAME_255)
                    .addRecords(value(MAX_RECORD))
                    .addRecords(Record.getDefaultInstance())
                    .addRecords(Record.newBuilder().setTimestampMs(Long.MIN_VALUE))
                    .build())
            .getBaseOffset());
    assertEquals(4, readAll(cluster.aFollower(), NAME_255).size());
    // Names made only of dots and slashes are names, not paths.
    for (String odd : List.of("..", "../..", "/", ".", "--", "::")) {
      assertEquals(1, s.produce(batch(odd, "v")).getRecordCount(), odd);
      assertEquals(1, readAll(cluster.awaitLeader(), odd).size(), odd);
    }
    // Idempotent producer ids at the unsigned boundaries.
    for (long id : new long[] {Long.MAX_VALUE, TWO_TO_63, TWO_TO_64_MINUS_1}) {
      var r = s.produce(batch("ids", "v").toBuilder().setProducerId(id).setSequence(0).build());
      var again = s.produce(batch("ids", "v").toBuilder().setProducerId(id).setSequence(0).build());
      assertTrue(again.getDuplicate(), "a retry of producer " + Long.toUnsignedString(id));
      assertEquals(r.getBaseOffset(), again.getBaseOffset());
    }
    // Settings exactly at the limits.
    Map<String, String> full = new HashMap<>();
    for (int i = 0; i < 31; i++) {
      full.put("k" + i, "v");
    }
    full.put("k".repeat(64), "v".repeat(1024));
    var info =
        s.createStream(
            CreateStreamRequest.newBuilder()
                .setStream("full-settings")
                .putAllSettings(full)
                .build());
    assertEquals(full, info.getSettingsMap());
  }

  /**
   * max_records is a uint32: 2^31 and more arrive negative in Java, and must be lowered to the
   * maximum like any other large value, not read as "no records".
   */
  @Test
  void consumeWithMaxRecordsOf2To31OrMoreReturnsRecords() {
    for (int max : new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, -1}) {
      var r =
          cluster
              .blocking(cluster.aFollower())
              .consume(ConsumeRequest.newBuilder().setStream(INTACT).setMaxRecords(max).build());
      assertTrue(
          r.getRecordsCount() >= written.size(),
          "max_records " + Integer.toUnsignedString(max) + ": " + r.getRecordsCount());
      Iterator<io.raftlog.api.v1.ConsumeResponse> tail =
          cluster
              .blocking(cluster.aFollower())
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .consumeStream(
                  ConsumeRequest.newBuilder().setStream(INTACT).setMaxRecords(max).build());
      assertTrue(tail.next().getRecordsCount() > 0, Integer.toUnsignedString(max));
    }
  }

  /**
   * Sequences are uint64: a producer whose sequence passes 2^63-1 goes on to 2^63 (negative in
   * Java), which was refused as "older than the last batches" and printed negative.
   */
  @Test
  void aSequenceCrossing2To63IsInOrder() {
    var s = cluster.blocking(cluster.aFollower());
    long producer = 0x5E9L;
    s.produce(
        batch("seq", "a").toBuilder().setProducerId(producer).setSequence(Long.MAX_VALUE).build());
    var next =
        s.produce(
            batch("seq", "b").toBuilder().setProducerId(producer).setSequence(TWO_TO_63).build());
    assertFalse(next.getDuplicate());
    var e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                s.produce(
                    batch("seq", "c").toBuilder()
                        .setProducerId(producer)
                        .setSequence(TWO_TO_64_MINUS_1)
                        .build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("sequence 18446744073709551615 of producer")
            && e.getStatus()
                .getDescription()
                .contains("next expected sequence is 9223372036854775809"),
        e.getStatus().getDescription());
  }

  @Test
  void listStreamsWithHostilePageSizesTokensAndPrefixes() {
    var s = cluster.blocking(cluster.aFollower());
    for (int size : new int[] {1, Integer.MAX_VALUE, Integer.MIN_VALUE, -1}) {
      var page = s.listStreams(ListStreamsRequest.newBuilder().setPageSize(size).build());
      assertTrue(page.getStreamsCount() >= 1 && page.getStreamsCount() <= 1000);
    }
    // Tokens and prefixes that are no stream's name: an empty page, or the streams after them.
    for (String odd :
        List.of("\u0000", "\uffff", "garbage token", "\uD83D\uDE00", "zzzz".repeat(1000), "~")) {
      var afterToken = s.listStreams(ListStreamsRequest.newBuilder().setPageToken(odd).build());
      for (var info : afterToken.getStreamsList()) {
        assertTrue(info.getName().compareTo(odd) > 0 || odd.equals("\u0000"), info.getName());
      }
      var withPrefix = s.listStreams(ListStreamsRequest.newBuilder().setPrefix(odd).build());
      assertEquals(0, withPrefix.getStreamsCount(), printable(odd));
    }
    // Paging one at a time visits every stream once.
    List<String> seen = new ArrayList<>();
    String token = "";
    do {
      var page =
          s.listStreams(ListStreamsRequest.newBuilder().setPageSize(1).setPageToken(token).build());
      page.getStreamsList().forEach(i -> seen.add(i.getName()));
      token = page.getNextPageToken();
    } while (!token.isEmpty() && seen.size() < 10_000);
    assertEquals(seen.stream().distinct().sorted().toList(), seen);
    assertTrue(seen.contains(INTACT));
  }

  @Test
  void getClusterAnswersEveryNode() {
    for (String id : cluster.ids()) {
      assertEquals(
          3,
          cluster.blocking(id).getCluster(GetClusterRequest.newBuilder().build()).getNodesCount());
      assertEquals(
          1,
          cluster
              .blocking(id)
              .getCluster(GetClusterRequest.newBuilder().setLocalOnly(true).build())
              .getNodesCount());
    }
  }

  /** Internal headers from an outside client: a forwarded mark makes a node answer, not forward. */
  @Test
  void aForwardedByHeaderFromAClientIsAnsweredWithTheLeader() {
    Metadata md = new Metadata();
    md.put(CallHeaders.FORWARDED_BY, "evil");
    String follower = cluster.aFollower();
    String leader = cluster.awaitLeader(INTACT);
    String notLeader = cluster.ids().stream().filter(i -> !i.equals(leader)).findFirst().get();
    var stub =
        cluster.blocking(notLeader).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    var e = assertThrows(StatusRuntimeException.class, () -> stub.produce(batch(INTACT, "no")));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("not the leader"), e.getMessage());
    assertNotNull(follower);
  }

  /**
   * raftlog-catalog-done from an outside client must not leave a stream's settings behind: a stream
   * deleted that way and created again shows no settings of the old one.
   */
  @Test
  void aCatalogDoneHeaderFromAClientLeavesNoStaleSettings() {
    for (String id : cluster.ids()) {
      forgedCatalogDoneOn(id);
    }
  }

  private static void forgedCatalogDoneOn(String id) {
    var s = cluster.blocking(id);
    s.createStream(
        CreateStreamRequest.newBuilder()
            .setStream("stale-" + id)
            .putSettings("owner", "old")
            .build());
    Metadata md = new Metadata();
    md.put(CallHeaders.CATALOG_DONE, "1");
    var forged = s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    try {
      forged.deleteStream(DeleteStreamRequest.newBuilder().setStream("stale-" + id).build());
    } catch (StatusRuntimeException refused) {
      // refusing the forged mark is fine too
    }
    try {
      forged.createStream(
          CreateStreamRequest.newBuilder()
              .setStream("stale2-" + id)
              .putSettings("owner", "x")
              .build());
      assertEquals(
          Map.of("owner", "x"),
          s.describeStream(DescribeStreamRequest.newBuilder().setStream("stale2-" + id).build())
              .getSettingsMap(),
          "settings given with a forged mark are stored or refused, never dropped");
    } catch (StatusRuntimeException refused) {
      // ok
    }
    try {
      s.deleteStream(DeleteStreamRequest.newBuilder().setStream("stale-" + id).build());
    } catch (StatusRuntimeException gone) {
      assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode(), gone.getMessage());
    }
    s.createStream(CreateStreamRequest.newBuilder().setStream("stale-" + id).build());
    assertEquals(
        Map.of(),
        s.describeStream(DescribeStreamRequest.newBuilder().setStream("stale-" + id).build())
            .getSettingsMap());
  }
}
