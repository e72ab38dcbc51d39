package io.raftlog.client;

import static io.raftlog.client.StreamNameCheck.checkStream;

import io.raftlog.api.v1.CreateStreamRequest;
import io.raftlog.api.v1.DeleteStreamRequest;
import io.raftlog.api.v1.DeleteStreamResponse;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.ListStreamsResponse;
import io.raftlog.api.v1.Retention;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.api.v1.TopStreamsOrder;
import io.raftlog.api.v1.TopStreamsRequest;
import io.raftlog.api.v1.TopStreamsResponse;
import io.raftlog.api.v1.TruncateRequest;
import io.raftlog.api.v1.TruncateResponse;
import io.raftlog.api.v1.UpdateStreamRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stream administration calls behind {@link RaftlogClient}'s public methods of the same names
 * (which document them): create, describe, list, update, truncate and delete streams, and the
 * busiest streams, each one request through {@link UnaryCalls}. One per client, which owns it;
 * holds no state of its own, so it runs on whichever thread calls the client. A stream's calls go
 * to its shard leader (a describe is linearizable there); a list spans every shard, so any healthy
 * node answers it.
 */
final class StreamAdmin {
  /** Streams per page when a caller asks for them all: few round trips, bounded answers. */
  private static final int ALL_PAGE_SIZE = 1000;

  private final UnaryCalls calls;

  StreamAdmin(UnaryCalls calls) {
    this.calls = calls;
  }

  StreamInfo create(String name, Map<String, String> settings) {
    CreateStreamRequest request =
        CreateStreamRequest.newBuilder()
            .setStream(checkStream(name))
            .putAllSettings(settings)
            .build();
    return calls.call("create stream " + name, name, false, stub -> stub.createStream(request));
  }

  StreamInfo create(String name, Map<String, String> settings, Retention retention) {
    CreateStreamRequest request =
        CreateStreamRequest.newBuilder()
            .setStream(checkStream(name))
            .putAllSettings(settings)
            .setRetention(retention)
            .build();
    return calls.call("create stream " + name, name, false, stub -> stub.createStream(request));
  }

  StreamInfo describe(String name) {
    DescribeStreamRequest request =
        DescribeStreamRequest.newBuilder().setStream(checkStream(name)).build();
    return calls.call("describe stream " + name, name, false, stub -> stub.describeStream(request));
  }

  ListStreamsResponse list(String prefix, int pageSize, String pageToken) {
    if (pageSize < 0) {
      throw new IllegalArgumentException("page size must be >= 0");
    }
    ListStreamsRequest request =
        ListStreamsRequest.newBuilder()
            .setPrefix(prefix)
            .setPageSize(pageSize)
            .setPageToken(pageToken)
            .build();
    return calls.call("list streams", null, true, stub -> stub.listStreams(request));
  }

  List<StreamInfo> listAll(String prefix) {
    List<StreamInfo> all = new ArrayList<>();
    String token = "";
    do {
      ListStreamsResponse page = list(prefix, ALL_PAGE_SIZE, token);
      all.addAll(page.getStreamsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  DeleteStreamResponse delete(String name) {
    DeleteStreamRequest request =
        DeleteStreamRequest.newBuilder().setStream(checkStream(name)).build();
    return calls.call("delete stream " + name, name, false, stub -> stub.deleteStream(request));
  }

  StreamInfo update(String name, Retention changes) {
    UpdateStreamRequest request =
        UpdateStreamRequest.newBuilder().setStream(checkStream(name)).setRetention(changes).build();
    return calls.call("update stream " + name, name, false, stub -> stub.updateStream(request));
  }

  TruncateResponse truncate(String name, long beforeOffset) {
    TruncateRequest request =
        TruncateRequest.newBuilder()
            .setStream(checkStream(name))
            .setBeforeOffset(beforeOffset)
            .build();
    return calls.call("truncate stream " + name, name, false, stub -> stub.truncate(request));
  }

  TopStreamsResponse top(int limit, TopStreamsOrder order) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be 0 (the default, 10) to 1000, not " + limit);
    }
    TopStreamsRequest request =
        TopStreamsRequest.newBuilder().setLimit(limit).setOrder(order).build();
    return calls.call("top streams", null, true, stub -> stub.topStreams(request));
  }
}
