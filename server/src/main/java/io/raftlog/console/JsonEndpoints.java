package io.raftlog.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.GetClusterRequest;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.api.v1.Record;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.api.v1.TopStreamsOrder;
import io.raftlog.api.v1.TopStreamsRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The console's JSON endpoints under {@code /api/}, each one gRPC call (two for the newest records)
 * to the node's own API, answered as proto3 JSON. Runs on the HTTP server's threads, blocking each
 * for at most {@link #CALL_TIMEOUT_MS}.
 */
final class JsonEndpoints implements HttpHandler {
  /** A GetCluster with a peer gone waits for it about a second; 5 s leaves room. */
  static final long CALL_TIMEOUT_MS = 5_000;

  static final int MAX_PAGE = 1000;

  private final LogGrpc.LogBlockingStub api;
  private final String nodeId;

  JsonEndpoints(LogGrpc.LogBlockingStub api, String nodeId) {
    this.api = api;
    this.nodeId = nodeId;
  }

  /** Serves one GET; {@link Exchanges#getOnly} checks the method and closes the exchange. */
  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      Query q = new Query(exchange.getRequestURI());
      String body =
          switch (exchange.getRequestURI().getPath()) {
            case "/api/cluster" -> cluster();
            case "/api/streams" -> streams(q);
            case "/api/stream" -> Json.of(call().describeStream(describe(q.required("name"))));
            case "/api/records" -> records(q);
            case "/api/top" -> top(q);
            default -> null;
          };
      if (body == null) {
        Exchanges.error(exchange, 404, "no such endpoint: " + exchange.getRequestURI().getPath());
      } else {
        Exchanges.json(exchange, 200, body);
      }
    } catch (BadParameter e) {
      Exchanges.error(exchange, 400, e.getMessage());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED
          && "/api/top".equals(exchange.getRequestURI().getPath())) {
        // A node of an older version: the page says so instead of failing.
        Exchanges.error(
            exchange, 503, "this node does not answer TopStreams yet (an older raftlog version)");
      } else {
        Exchanges.grpcError(exchange, e);
      }
    }
  }

  private LogGrpc.LogBlockingStub call() {
    return api.withDeadlineAfter(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  private static DescribeStreamRequest describe(String stream) {
    return DescribeStreamRequest.newBuilder().setStream(stream).build();
  }

  /** The cluster as this node sees it, with which node that is. */
  private String cluster() {
    return "{\"self\":"
        + Json.quote(nodeId)
        + ",\"cluster\":"
        + Json.of(call().getCluster(GetClusterRequest.getDefaultInstance()))
        + "}";
  }

  private String streams(Query q) throws BadParameter {
    return Json.of(
        call()
            .listStreams(
                ListStreamsRequest.newBuilder()
                    .setPrefix(q.text("prefix", ""))
                    .setPageToken(q.text("page_token", ""))
                    .setPageSize(q.count("page_size", 50, 1, MAX_PAGE))
                    .build()));
  }

  /**
   * Up to {@code limit} records from {@code from}, or with {@code newest=true} the stream's last
   * {@code limit} records, newest first; with the stream's offsets to page by.
   */
  private String records(Query q) throws BadParameter {
    String stream = q.required("stream");
    int limit = q.count("limit", 50, 1, MAX_PAGE);
    boolean newest = q.flag("newest");
    long from = q.offset("from", 0);
    StreamInfo info = call().describeStream(describe(stream));
    if (newest) {
      from = Math.max(info.getFirstOffset(), info.getNextOffset() - limit);
    }
    boolean empty = newest && from >= info.getNextOffset();
    ConsumeResponse page =
        empty
            ? ConsumeResponse.newBuilder().setNextOffset(info.getNextOffset()).build()
            : call()
                .consume(
                    ConsumeRequest.newBuilder()
                        .setStream(stream)
                        .setOffset(from)
                        .setMaxRecords(limit)
                        // Newest first reads what is there now, even if retention just moved on.
                        .setReset(
                            newest
                                ? OffsetReset.OFFSET_RESET_EARLIEST
                                : OffsetReset.OFFSET_RESET_FAIL)
                        .build());
    if (newest) {
      List<Record> reversed = new ArrayList<>(page.getRecordsList());
      Collections.reverse(reversed);
      page = page.toBuilder().clearRecords().addAllRecords(reversed).build();
    }
    return "{\"stream\":"
        + Json.quote(stream)
        + ",\"first_offset\":\""
        + info.getFirstOffset()
        + "\",\"newest_first\":"
        + newest
        + ",\"page\":"
        + Json.of(page)
        + "}";
  }

  private String top(Query q) throws BadParameter {
    TopStreamsOrder order =
        switch (q.text("order", "bytes")) {
          case "bytes" -> TopStreamsOrder.TOP_STREAMS_ORDER_BYTES;
          case "records" -> TopStreamsOrder.TOP_STREAMS_ORDER_RECORDS;
          default -> throw new BadParameter("order", "must be bytes or records");
        };
    return Json.of(
        call()
            .topStreams(
                TopStreamsRequest.newBuilder()
                    .setLimit(q.count("limit", 20, 1, MAX_PAGE))
                    .setOrder(order)
                    .build()));
  }
}
