package io.raftlog.client;

import static io.raftlog.client.StreamNameCheck.checkStream;

import io.grpc.Status;
import io.raftlog.api.v1.CommitOffsetRequest;
import io.raftlog.api.v1.ConsumerInfo;
import io.raftlog.api.v1.DeleteConsumerRequest;
import io.raftlog.api.v1.DeleteConsumerResponse;
import io.raftlog.api.v1.GetConsumerRequest;
import io.raftlog.api.v1.ListConsumersRequest;
import io.raftlog.api.v1.ListConsumersResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The named-consumer calls behind {@link RaftlogClient}'s public methods of the same names (which
 * document them): commit, get, list and delete a consumer's stored offset, each through {@link
 * UnaryCalls} to the stream's shard leader, where the offsets live. One per client, which owns it;
 * it holds no state of its own, so it runs on whichever thread calls it: the caller's, or the
 * polling thread of a {@link Subscription} whose {@link ConsumerCommits} commit through it.
 */
final class ConsumerOffsets {
  /** Consumers per page when a caller asks for them all: few round trips, bounded answers. */
  private static final int ALL_PAGE_SIZE = 1000;

  private final UnaryCalls calls;

  ConsumerOffsets(UnaryCalls calls) {
    this.calls = calls;
  }

  ConsumerInfo commit(String stream, String consumer, long offset, boolean force) {
    CommitOffsetRequest request =
        CommitOffsetRequest.newBuilder()
            .setStream(checkStream(stream))
            .setConsumer(consumer)
            .setOffset(offset)
            .setForce(force)
            .build();
    return calls.call(
        "commit " + consumer + " on " + stream, stream, false, stub -> stub.commitOffset(request));
  }

  ConsumerInfo get(String stream, String consumer) {
    GetConsumerRequest request =
        GetConsumerRequest.newBuilder()
            .setStream(checkStream(stream))
            .setConsumer(consumer)
            .build();
    return calls.call(
        "get consumer " + consumer + " of " + stream,
        stream,
        false,
        stub -> stub.getConsumer(request));
  }

  /**
   * The consumer's committed offset, or -1 if it has none: a consumer that never committed is where
   * a subscription starts by its options instead, not an error.
   */
  long committedOffset(String stream, String consumer) {
    try {
      return get(stream, consumer).getCommittedOffset();
    } catch (RaftlogException e) {
      if (e.code() == Status.Code.NOT_FOUND) {
        return -1;
      }
      throw e;
    }
  }

  List<ConsumerInfo> listAll(String stream) {
    List<ConsumerInfo> all = new ArrayList<>();
    String token = "";
    do {
      ListConsumersRequest request =
          ListConsumersRequest.newBuilder()
              .setStream(checkStream(stream))
              .setPageSize(ALL_PAGE_SIZE)
              .setPageToken(token)
              .build();
      ListConsumersResponse page =
          calls.call(
              "list consumers of " + stream, stream, false, stub -> stub.listConsumers(request));
      all.addAll(page.getConsumersList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  DeleteConsumerResponse delete(String stream, String consumer) {
    DeleteConsumerRequest request =
        DeleteConsumerRequest.newBuilder()
            .setStream(checkStream(stream))
            .setConsumer(consumer)
            .build();
    return calls.call(
        "delete consumer " + consumer + " of " + stream,
        stream,
        false,
        stub -> stub.deleteConsumer(request));
  }
}
