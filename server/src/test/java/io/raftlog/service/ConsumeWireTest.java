package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.Await;
import io.raftlog.testkit.InProcessCluster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client receives from Consume and ConsumeStream, now that the node sends stored bytes as
 * they are: the raw response bytes, taken off the wire unparsed, are the canonical encoding of a
 * ConsumeResponse (the old path re-serialized one, so its bytes were exactly these), carry every
 * record with its offset, timestamp, key and headers and the next offset, parse the same as a
 * DynamicMessage (what reflection-based clients such as grpcurl do) and as the generated class, on
 * the leader and on followers. Bad requests keep their statuses.
 */
class ConsumeWireTest {
  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static List<Record> produced = new ArrayList<>();
  static long base;

  private static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream in) {
          try {
            return in.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  @BeforeAll
  static void start() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
    ProduceRequest.Builder batch = ProduceRequest.newBuilder();
    for (int i = 0; i < 50; i++) {
      Record.Builder r =
          Record.newBuilder()
              .setValue(ByteString.copyFromUtf8("value-" + i + "-" + "x".repeat(i * 20)))
              .setTimestampMs(1_700_000_000_000L + i);
      if (i % 2 == 0) {
        r.setKey(ByteString.copyFromUtf8("key-" + i));
      }
      if (i % 3 == 0) {
        r.addHeaders(Header.newBuilder().setKey("h" + i).setValue(ByteString.copyFromUtf8("v")));
      }
      batch.addRecords(r);
      produced.add(r.build());
    }
    ProduceResponse p = cluster.blocking(cluster.awaitLeader()).produce(batch.build());
    base = p.getBaseOffset();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void consumeAnswersTheCanonicalBytesOfEveryRecordOnEveryNode() throws Exception {
    ConsumeRequest request =
        ConsumeRequest.newBuilder().setOffset(base).setMaxRecords(1000).build();
    for (String id : cluster.ids()) {
      byte[] raw =
          ClientCalls.blockingUnaryCall(
              cluster.channel(id), raw(LogGrpc.getConsumeMethod()), CallOptions.DEFAULT, request);
      check(raw, base, produced, "node " + id);
      assertEquals(ConsumeResponse.parseFrom(raw), cluster.blocking(id).consume(request));
    }
  }

  @Test
  void consumeStreamAnswersTheSameBytesAsConsume() throws Exception {
    ConsumeRequest request =
        ConsumeRequest.newBuilder()
            .setOffset(base + 7)
            .setMaxRecords(1000)
            .setConsistency(Consistency.LOCAL)
            .build();
    String follower = cluster.aFollower();
    // A LOCAL read on a follower may lag: wait until it has the records.
    Await.until(
        Duration.ofSeconds(10),
        "the follower applies the batch",
        () -> cluster.blocking(follower).consume(request).getRecordsCount() == produced.size() - 7);
    for (String id : List.of(cluster.awaitLeader(), follower)) {
      Iterator<byte[]> answers =
          ClientCalls.blockingServerStreamingCall(
              cluster.channel(id),
              raw(LogGrpc.getConsumeStreamMethod()),
              CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
              request);
      byte[] first = answers.next();
      check(first, base + 7, produced.subList(7, produced.size()), "node " + id);
      byte[] unary =
          ClientCalls.blockingUnaryCall(
              cluster.channel(id), raw(LogGrpc.getConsumeMethod()), CallOptions.DEFAULT, request);
      assertArrayEquals(unary, first, "node " + id);
    }
  }

  @Test
  void badConsumeRequestsKeepTheirStatuses() {
    String id = cluster.awaitLeader();
    StatusRuntimeException missing =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                cluster
                    .blocking(id)
                    .consume(ConsumeRequest.newBuilder().setStream("no-such-stream").build()));
    assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
    StatusRuntimeException past =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                cluster
                    .blocking(id)
                    .consume(ConsumeRequest.newBuilder().setOffset(base + 1_000_000).build()));
    assertEquals(Status.Code.OUT_OF_RANGE, past.getStatus().getCode());
  }

  /**
   * {@code raw} is the canonical encoding (parse and re-serialize give the same bytes), holds
   * {@code expected} from offset {@code from} and a next offset past them, and parses the same
   * through the descriptor alone.
   */
  private static void check(byte[] raw, long from, List<Record> expected, String where)
      throws Exception {
    ConsumeResponse r = ConsumeResponse.parseFrom(raw);
    assertArrayEquals(r.toByteArray(), raw, where);
    assertEquals(expected.size(), r.getRecordsCount(), where);
    for (int i = 0; i < expected.size(); i++) {
      Record want = expected.get(i).toBuilder().setOffset(from + i).build();
      assertEquals(want, r.getRecords(i), where + ", record " + i);
    }
    assertEquals(from + expected.size(), r.getNextOffset(), where);
    DynamicMessage dynamic = DynamicMessage.parseFrom(ConsumeResponse.getDescriptor(), raw);
    assertArrayEquals(raw, dynamic.toByteArray(), where);
    assertEquals(r, ConsumeResponse.parseFrom(dynamic.toByteString()), where);
  }

  private static MethodDescriptor<ConsumeRequest, byte[]> raw(
      MethodDescriptor<ConsumeRequest, ConsumeResponse> method) {
    return method.toBuilder(method.getRequestMarshaller(), RAW).build();
  }
}
