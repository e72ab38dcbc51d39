package io.raftlog.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request bytes that are not a protobuf message of the method's type, sent to every method of the
 * Log service on every node: each gets {@code INVALID_ARGUMENT} naming the type, where gRPC alone
 * answers {@code UNKNOWN: Application error processing RPC} (the failure this pins), and the node
 * keeps serving. Issue 12.
 */
class MalformedRequestBytesTest {
  /** Field 1, length-delimited, declaring 5 bytes of which 1 follows. */
  static final byte[] TRUNCATED = {0x0a, 0x05, 0x61};

  /** An end-group tag with no group open. */
  static final byte[] STRAY_END_GROUP = {0x0c};

  /** Field 1 as a string of bytes that are not UTF-8 (DescribeStreamRequest's stream). */
  static final byte[] NOT_UTF8 = {0x0a, 0x02, (byte) 0xc3, (byte) 0x28};

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
  void unparseableRequestBytesAreInvalidArgumentOnEveryMethodAndNode() {
    for (String id : cluster.ids()) {
      for (MethodDescriptor<?, ?> method : LogGrpc.getServiceDescriptor().getMethods()) {
        for (byte[] bad : new byte[][] {TRUNCATED, STRAY_END_GROUP}) {
          Status s = call(id, method, bad);
          String where = "node " + id + ", " + method.getFullMethodName() + ": " + s;
          assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), where);
          assertNotNull(s.getDescription(), where);
          assertTrue(s.getDescription().contains("is not a valid raftlog.v1."), where);
        }
      }
    }
  }

  @Test
  void aStreamNameThatIsNotUtf8IsInvalidArgument() {
    Status s = call(cluster.aFollower(), LogGrpc.getDescribeStreamMethod(), NOT_UTF8);
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("raftlog.v1.DescribeStreamRequest"), s.toString());
  }

  @Test
  void theNodeServesValidRequestsAfterMalformedOnes() {
    String id = cluster.aFollower();
    for (int i = 0; i < 50; i++) {
      call(id, LogGrpc.getProduceMethod(), TRUNCATED);
    }
    ProduceRequest ok =
        ProduceRequest.newBuilder()
            .setStream("after-malformed")
            .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8("fine")))
            .build();
    long offset = cluster.blocking(id).produce(ok).getBaseOffset();
    var read =
        cluster
            .blocking(id)
            .consume(
                ConsumeRequest.newBuilder()
                    .setStream("after-malformed")
                    .setOffset(offset)
                    .setMaxRecords(1)
                    .build());
    assertEquals("fine", read.getRecords(0).getValue().toStringUtf8());
  }

  /** Sends {@code bytes} as the one request of {@code method}, whatever its kind; its status. */
  static Status call(String id, MethodDescriptor<?, ?> method, byte[] bytes) {
    MethodDescriptor<byte[], byte[]> raw =
        MethodDescriptor.<byte[], byte[]>newBuilder(RAW, RAW)
            .setFullMethodName(method.getFullMethodName())
            .setType(method.getType())
            .build();
    ClientCall<byte[], byte[]> call =
        cluster
            .channel(id)
            .newCall(raw, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(Integer.MAX_VALUE);
    call.sendMessage(bytes);
    call.halfClose();
    return closed.join();
  }

  static final MethodDescriptor.Marshaller<byte[]> RAW =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
}
