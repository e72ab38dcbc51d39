package io.raftlog.client;

import static io.raftlog.testkit.Records.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch whose acknowledgement is lost after the log appended it: the retry carries the same
 * sequence, so the log answers with the original offsets and appends nothing.
 */
class LostResponseTest {
  @TempDir Path dir;

  @Test
  void aRetryAfterALostAcknowledgementIsNotAppendedTwice() {
    DropFirstProduceAnswer dropper = new DropFirstProduceAnswer();
    try (InProcessCluster<RaftlogServer> cluster =
            InProcessCluster.start(dir, 3, RaftlogServer::start);
        RaftlogClient client =
            RaftlogClient.builder()
                .servers(cluster.clientAddress(cluster.awaitLeader()))
                .intercept(dropper)
                .build()) {
      List<Long> offsets =
          client.produce(
              List.of(
                  Record.newBuilder().setValue(ByteString.copyFromUtf8("once-a")).build(),
                  Record.newBuilder().setValue(ByteString.copyFromUtf8("once-b")).build()));

      assertTrue(dropper.dropped.get(), "the first answer was dropped");
      assertEquals(1, dropper.duplicates.get(), "the retry was answered as a duplicate");
      assertEquals(List.of(0L, 1L), offsets);
      assertEquals(
          List.of("once-a", "once-b"),
          readAll(cluster.blocking(cluster.awaitLeader()), Consistency.LINEARIZABLE));
    }
  }

  /**
   * Lets the first produce reach the cluster, then throws its answer away and reports UNAVAILABLE,
   * as a leader that dies between committing and answering would. Counts duplicate answers.
   */
  static final class DropFirstProduceAnswer implements ClientInterceptor {
    final AtomicBoolean dropped = new AtomicBoolean();
    final AtomicInteger duplicates = new AtomicInteger();

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      boolean produce =
          method == LogGrpc.getProduceMethod() || method == LogGrpc.getProduceStreamMethod();
      ClientCall<Q, R> call = next.newCall(method, options);
      if (!produce) {
        return call;
      }
      return new SimpleForwardingClientCall<>(call) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(
              new SimpleForwardingClientCallListener<>(listener) {
                private boolean closed;

                @Override
                public void onMessage(R message) {
                  if (((ProduceResponse) message).getDuplicate()) {
                    duplicates.incrementAndGet();
                  }
                  if (dropped.compareAndSet(false, true)) {
                    closed = true;
                    call.cancel("answer dropped by the test", null);
                    super.onClose(
                        Status.UNAVAILABLE.withDescription("answer dropped by the test"),
                        new Metadata());
                    return;
                  }
                  super.onMessage(message);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                  if (!closed) {
                    super.onClose(status, trailers);
                  }
                }
              },
              headers);
        }
      };
    }
  }
}
