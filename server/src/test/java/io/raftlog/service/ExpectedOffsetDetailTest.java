package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.wire.ExpectedOffsetMismatch;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A produce refused for its expected offset carries the stream's next offset as a status detail,
 * answered by the shard's leader itself and relayed unchanged by a node that forwarded the call.
 */
class ExpectedOffsetDetailTest {
  static final String STREAM = "detail";

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;
  static String leader;
  static String follower;

  @BeforeAll
  static void start() {
    cluster = InProcessCluster.start(dir, 3, RaftlogServer::start);
    leader = cluster.awaitLeader(STREAM);
    follower = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    cluster.blocking(leader).produce(records("a", "b"));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ProduceRequest records(String... values) {
    ProduceRequest.Builder b = ProduceRequest.newBuilder().setStream(STREAM);
    for (String v : values) {
      b.addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(v)));
    }
    return b.build();
  }

  private static ProduceRequest at(long expectedOffset, String value) {
    return records(value).toBuilder().setExpectedOffset(expectedOffset).build();
  }

  private static void assertMismatch(StatusRuntimeException e, long expected, String expectedText) {
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e::toString);
    assertEquals(
        "stream '"
            + STREAM
            + "' is at offset 2, not the expected "
            + expectedText
            + ": nothing was appended",
        e.getStatus().getDescription());
    assertEquals(
        Optional.of(new ExpectedOffsetMismatch(STREAM, 2, expected)), ExpectedOffsetMismatch.of(e));
  }

  @Test
  void theLeaderPutsTheNextOffsetInTheDetail() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> cluster.blocking(leader).produce(at(1, "late")));
    assertMismatch(e, 1, "1");
  }

  @Test
  void anExpectedOffsetBeyondLongIsCarriedUnsigned() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> cluster.blocking(leader).produce(at(-1, "far")));
    assertMismatch(e, -1, "18446744073709551615");
  }

  @Test
  void aForwardedProduceKeepsTheDetail() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> cluster.blocking(follower).produce(at(0, "late")));
    assertMismatch(e, 0, "0");
  }

  @Test
  void aForwardedProduceStreamKeepsTheDetail() throws Exception {
    CompletableFuture<ProduceResponse> answer = new CompletableFuture<>();
    StreamObserver<ProduceRequest> requests =
        cluster
            .async(follower)
            .produceStream(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ProduceResponse r) {
                    answer.complete(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(at(3, "late"));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> answer.get(30, TimeUnit.SECONDS));
    requests.onCompleted();
    assertMismatch((StatusRuntimeException) e.getCause(), 3, "3");
  }
}
