package io.raftlog.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.BlockingClientCall;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.ProduceResponse;
import io.raftlog.api.v1.Record;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.wire.ExpectedOffsetMismatch;
import java.nio.file.Path;
import java.util.Optional;
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

  /** The refusal of a produce of one record at {@code expectedOffset}, sent to {@code node}. */
  private static StatusRuntimeException refusal(String node, long expectedOffset) {
    return assertThrows(
        StatusRuntimeException.class,
        () -> cluster.blocking(node).produce(at(expectedOffset, "late")));
  }

  private static void assertMismatch(
      Status status, Throwable e, long expected, String expectedText) {
    assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode(), e::toString);
    assertEquals(
        "stream '"
            + STREAM
            + "' is at offset 2, not the expected "
            + expectedText
            + ": nothing was appended",
        status.getDescription());
    assertEquals(
        Optional.of(new ExpectedOffsetMismatch(STREAM, 2, expected)), ExpectedOffsetMismatch.of(e));
  }

  private static void assertMismatch(StatusRuntimeException e, long expected, String text) {
    assertMismatch(e.getStatus(), e, expected, text);
  }

  @Test
  void theLeaderPutsTheNextOffsetInTheDetailUnsignedAsTheRequestHasIt() {
    assertMismatch(refusal(leader, 1), 1, "1");
    assertMismatch(refusal(leader, -1), -1, "18446744073709551615");
  }

  @Test
  void aForwardedProduceKeepsTheDetail() {
    assertMismatch(refusal(follower, 0), 0, "0");
  }

  @Test
  void aForwardedProduceStreamKeepsTheDetail() throws Exception {
    BlockingClientCall<ProduceRequest, ProduceResponse> call =
        LogGrpc.newBlockingV2Stub(cluster.channel(follower))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .produceStream();
    call.write(at(3, "late"));
    StatusException e = assertThrows(StatusException.class, call::read);
    assertMismatch(e.getStatus(), e, 3, "3");
  }
}
