package io.raftlog.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.DescribeStreamRequest;
import io.raftlog.api.v1.LogGrpc;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code /api/tail?stream=&from=}: a stream's live tail as Server-Sent Events, relayed from a
 * ConsumeStream call to the node's own API. Each ConsumeResponse becomes one {@code records} event
 * whose id is the next offset, so the browser's EventSource, reconnecting after the stream ends,
 * sends it back as {@code Last-Event-ID} and goes on from there without a gap or a repeat.
 *
 * <p>A tail holds one HTTP thread (the relay blocks on the browser's socket, which is also the flow
 * control: the next response is asked of gRPC only once the last one is written). So tails are
 * bounded: {@link #MAX_TAILS} at once (503 beyond), each for at most {@link #MAX_DURATION_MS}; a
 * comment every {@link #PING_MS} finds a browser that went away.
 */
final class TailEvents implements HttpHandler {
  static final int MAX_TAILS = 8;
  static final long MAX_DURATION_MS = 10 * 60_000;
  static final long PING_MS = 5_000;

  /** How long the browser waits before it reconnects (the SSE {@code retry} field). */
  static final int RETRY_MS = 2_000;

  private static final Object END = new Object();

  private final LogGrpc.LogBlockingStub blocking;
  private final LogGrpc.LogStub async;
  private final Semaphore open = new Semaphore(MAX_TAILS);

  TailEvents(LogGrpc.LogBlockingStub blocking, LogGrpc.LogStub async) {
    this.blocking = blocking;
    this.async = async;
  }

  /** Serves one GET; {@link Exchanges#getOnly} checks the method and closes the exchange. */
  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      if (!"/api/tail".equals(exchange.getRequestURI().getPath())) {
        Exchanges.error(exchange, 404, "no such endpoint: " + exchange.getRequestURI().getPath());
        return;
      }
      if (!open.tryAcquire()) {
        Exchanges.error(
            exchange,
            503,
            MAX_TAILS + " live tails are open on this node already; close one or try later");
        return;
      }
      try {
        relay(exchange);
      } finally {
        open.release();
      }
    } catch (BadParameter e) {
      Exchanges.error(exchange, 400, e.getMessage());
    } catch (StatusRuntimeException e) {
      Exchanges.grpcError(exchange, e);
    } catch (InterruptedException e) {
      // The node is stopping: its HTTP server ends the stream.
      Thread.currentThread().interrupt();
    }
  }

  private void relay(HttpExchange exchange) throws BadParameter, IOException, InterruptedException {
    Query q = new Query(exchange.getRequestURI());
    String stream = q.required("stream");
    String resume = exchange.getRequestHeaders().getFirst("Last-Event-ID");
    long from =
        resume != null && !resume.isEmpty()
            ? Query.parseOffset("Last-Event-ID", resume)
            : q.has("from") ? q.offset("from", 0) : nextOffset(stream);
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    Relay call = new Relay(events);
    async
        .withDeadlineAfter(MAX_DURATION_MS + PING_MS, TimeUnit.MILLISECONDS)
        .consumeStream(ConsumeRequest.newBuilder().setStream(stream).setOffset(from).build(), call);
    Exchanges.commonHeaders(exchange, "text/event-stream; charset=utf-8");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_DURATION_MS);
    try {
      write(out, "retry: " + RETRY_MS + "\n: following " + stream + " from " + from + "\n\n");
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          write(out, "event: end\ndata: {\"reason\":\"the tail's time is up; reconnecting\"}\n\n");
          return;
        }
        Object e =
            events.poll(
                Math.min(left, TimeUnit.MILLISECONDS.toNanos(PING_MS)), TimeUnit.NANOSECONDS);
        if (e == null) {
          write(out, ": ping\n\n");
        } else if (e instanceof ConsumeResponse r) {
          write(out, "id: " + r.getNextOffset() + "\nevent: records\ndata: " + Json.of(r) + "\n\n");
          call.next();
        } else if (e instanceof Status s) {
          String message = s.getDescription() != null ? s.getDescription() : s.getCode().name();
          write(
              out,
              "event: failure\ndata: {\"error\":"
                  + Json.quote(message)
                  + ",\"code\":"
                  + Json.quote(s.getCode().name())
                  + "}\n\n");
          return;
        } else {
          return; // END: the call completed
        }
      }
    } catch (IOException browserGone) {
      // The tab closed or moved on: nothing to answer; the call is cancelled below.
    } finally {
      call.cancel();
    }
  }

  private long nextOffset(String stream) {
    return blocking
        .withDeadlineAfter(JsonEndpoints.CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .describeStream(DescribeStreamRequest.newBuilder().setStream(stream).build())
        .getNextOffset();
  }

  /** Writes one event and sends it now; fails once the browser has gone. */
  private static void write(OutputStream out, String event) throws IOException {
    out.write(event.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /**
   * The ConsumeStream call: one response asked for at a time, handed to the HTTP thread through the
   * queue (gRPC's threads never block on the browser).
   */
  private static final class Relay
      implements ClientResponseObserver<ConsumeRequest, ConsumeResponse> {
    private final BlockingQueue<Object> events;
    private volatile ClientCallStreamObserver<ConsumeRequest> call;

    Relay(BlockingQueue<Object> events) {
      this.events = events;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ConsumeRequest> requestStream) {
      this.call = requestStream;
      requestStream.disableAutoRequestWithInitial(1);
    }

    void next() {
      call.request(1);
    }

    void cancel() {
      call.cancel("the console's tail ended", null);
    }

    @Override
    public void onNext(ConsumeResponse value) {
      events.add(value);
    }

    @Override
    public void onError(Throwable t) {
      events.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      events.add(END);
    }
  }
}
