package io.raftlog.collector;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OTLP/HTTP logs in: {@code POST /v1/logs} on the node's HTTP port, as the OTLP spec's "OTLP/HTTP"
 * defines it. The body is an {@code ExportLogsServiceRequest} in binary protobuf ({@code
 * Content-Type: application/x-protobuf}) or OTLP/JSON ({@code application/json}, {@link OtlpJson}),
 * optionally gzipped; it goes to the node's {@link LogsIngest}, the one the gRPC endpoint uses, and
 * the answer comes back in the request's encoding: 200 with the {@code ExportLogsServiceResponse}
 * ({@code partial_success} as the ingest gave it), or a failure ({@link OtlpHttpFailure}).
 *
 * <p>Mounted by the server at {@code /v1/logs} when {@code otlp.enabled}; runs on the HTTP server's
 * threads, each request on one thread that waits for the ingest's answer (at most {@link
 * #ANSWER_TIMEOUT_MS}). Bodies are read under {@link RequestBodies}' bounds, so neither one huge
 * export nor many at once grow the heap past them.
 */
public final class OtlpHttpHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(OtlpHttpHandler.class);

  /** The path OTLP/HTTP exporters send logs to by default. */
  public static final String PATH = "/v1/logs";

  /**
   * The paths this handler is mounted at: OTLP/HTTP's, so that an exporter of traces or metrics
   * pointed here learns that this node takes logs only (404), not that the console is read-only.
   */
  public static final String PREFIX = "/v1/";

  /**
   * How long a request waits for its shard batches' answers: as long as a forwarded produce may
   * take; past it the fate is unknown, and 503 tells the exporter to retry (which appends nothing
   * twice: {@link ContentHash}).
   */
  static final long ANSWER_TIMEOUT_MS = 30_000;

  /** The two encodings OTLP/HTTP defines; the answer uses the request's. */
  enum Encoding {
    PROTOBUF("application/x-protobuf"),
    JSON("application/json");

    final String mediaType;

    Encoding(String mediaType) {
      this.mediaType = mediaType;
    }

    /** The encoding a Content-Type names (parameters such as charset ignored), or null. */
    static Encoding of(String contentType) {
      if (contentType == null) {
        return null;
      }
      int semicolon = contentType.indexOf(';');
      String type =
          (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
              .trim()
              .toLowerCase(Locale.ROOT);
      for (Encoding e : values()) {
        if (e.mediaType.equals(type)) {
          return e;
        }
      }
      return null;
    }

    byte[] encode(Message m) {
      return this == PROTOBUF
          ? m.toByteArray()
          : OtlpJson.print(m).getBytes(StandardCharsets.UTF_8);
    }
  }

  private final LogsIngest ingest;
  private final RequestBodies bodies;

  /**
   * @param maxBodyBytes the largest body, after gzip decompression (413 above)
   * @param budgetBytes the bytes all requests' bodies may hold at once (503 above)
   */
  public OtlpHttpHandler(LogsIngest ingest, int maxBodyBytes, long budgetBytes) {
    this.ingest = ingest;
    this.bodies = new RequestBodies(maxBodyBytes, budgetBytes);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      Encoding encoding = Encoding.of(contentType);
      // A request in neither encoding gets its failure as JSON: a person with curl can read it.
      Encoding answerIn = encoding != null ? encoding : Encoding.JSON;
      String path = exchange.getRequestURI().getPath();
      if (!PATH.equals(path) && !(PATH + "/").equals(path)) {
        fail(
            exchange,
            answerIn,
            OtlpHttpFailure.of(
                404,
                Status.Code.NOT_FOUND,
                "no "
                    + path
                    + " here: OTLP/HTTP logs go to "
                    + PATH
                    + " (this node takes no traces or metrics)"));
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        fail(
            exchange,
            answerIn,
            OtlpHttpFailure.of(
                405,
                Status.Code.UNIMPLEMENTED,
                exchange.getRequestMethod()
                    + " is not served at "
                    + PATH
                    + ": OTLP/HTTP sends logs with POST"));
        return;
      }
      if (encoding == null) {
        fail(
            exchange,
            answerIn,
            OtlpHttpFailure.of(
                415,
                Status.Code.INVALID_ARGUMENT,
                (contentType == null ? "no Content-Type" : "Content-Type '" + contentType + "'")
                    + " is not an OTLP/HTTP encoding: send application/x-protobuf (binary protobuf)"
                    + " or application/json (OTLP/JSON)"));
        return;
      }
      String coding = exchange.getRequestHeaders().getFirst("Content-Encoding");
      boolean gzip = coding != null && coding.trim().equalsIgnoreCase("gzip");
      if (coding != null && !gzip && !coding.trim().equalsIgnoreCase("identity")) {
        fail(
            exchange,
            encoding,
            OtlpHttpFailure.of(
                415,
                Status.Code.INVALID_ARGUMENT,
                "Content-Encoding '" + coding + "' is not supported: send gzip or no encoding"));
        return;
      }
      answer(exchange, encoding, gzip);
    }
  }

  private void answer(HttpExchange exchange, Encoding encoding, boolean gzip) throws IOException {
    long announced = announcedLength(exchange);
    InputStream raw = exchange.getRequestBody();
    try (RequestBodies.Body body = bodies.read(raw, announced, gzip)) {
      ExportLogsServiceRequest request = decode(encoding, body.bytes(), body.length());
      ExportLogsServiceResponse response = await(ingest.export(request));
      send(exchange, 200, encoding, encoding.encode(response));
    } catch (RequestBodies.TooLarge e) {
      bodies.drain(raw);
      fail(
          exchange,
          encoding,
          OtlpHttpFailure.of(413, Status.Code.INVALID_ARGUMENT, e.getMessage()));
    } catch (RequestBodies.Overloaded e) {
      bodies.drain(raw);
      fail(exchange, encoding, OtlpHttpFailure.retryAfter(1, e.getMessage()));
    } catch (RequestBodies.BadGzip e) {
      bodies.drain(raw);
      fail(
          exchange,
          encoding,
          OtlpHttpFailure.of(400, Status.Code.INVALID_ARGUMENT, e.getMessage()));
    } catch (OtlpJson.BadJson | BadProtobuf e) {
      fail(
          exchange,
          encoding,
          OtlpHttpFailure.of(400, Status.Code.INVALID_ARGUMENT, e.getMessage()));
    } catch (StatusRuntimeException e) {
      fail(exchange, encoding, OtlpHttpFailure.of(e));
    } catch (RuntimeException e) {
      // A bug of the node: logged with its trace here, answered without it.
      LOG.warn("OTLP/HTTP export failed", e);
      fail(
          exchange,
          encoding,
          OtlpHttpFailure.of(
              500,
              Status.Code.INTERNAL,
              "the node failed on this export ("
                  + e.getClass().getSimpleName()
                  + "); see its log"));
    }
  }

  private static long announcedLength(HttpExchange exchange) {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1; // the HTTP server has already refused a request whose length it cannot read
    }
  }

  /** A body that is not a binary ExportLogsServiceRequest. */
  static final class BadProtobuf extends Exception {
    BadProtobuf(String message) {
      super(message, null, false, false);
    }
  }

  static ExportLogsServiceRequest decode(Encoding encoding, byte[] body, int length)
      throws BadProtobuf, OtlpJson.BadJson {
    if (encoding == Encoding.JSON) {
      return OtlpJson.parse(body, length);
    }
    CodedInputStream in = CodedInputStream.newInstance(body, 0, length);
    try {
      return ExportLogsServiceRequest.parseFrom(in);
    } catch (IOException e) { // an InvalidProtocolBufferException: the bytes are all here
      // Where: protobuf-java reads nested messages from the same stream, so its position is the
      // end of the field that broke (the string that is not UTF-8, the length past the end).
      throw new BadProtobuf(
          "the body is not a valid binary "
              + ExportLogsServiceRequest.getDescriptor().getFullName()
              + ": "
              + e.getMessage().trim()
              + " (at byte "
              + in.getTotalBytesRead()
              + " of "
              + length
              + ")");
    }
  }

  /** The ingest's answer; its failure as the StatusRuntimeException the ingest promises. */
  private static ExportLogsServiceResponse await(CompletableFuture<ExportLogsServiceResponse> f) {
    try {
      return f.get(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof StatusRuntimeException s
          ? s
          : Status.INTERNAL
              .withDescription("the export failed: " + cause)
              .withCause(cause)
              .asRuntimeException();
    } catch (TimeoutException e) {
      throw Status.UNAVAILABLE
          .withDescription(
              "no answer within "
                  + ANSWER_TIMEOUT_MS / 1000
                  + " s from the shards' leaders; retry the same export: what was appended is"
                  + " recognised and not appended twice")
          .asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.UNAVAILABLE
          .withDescription("the node is shutting down; retry the export on another node")
          .asRuntimeException();
    }
  }

  private static void fail(HttpExchange exchange, Encoding encoding, OtlpHttpFailure failure)
      throws IOException {
    byte[] body;
    try {
      body = encoding.encode(failure.body());
    } catch (IllegalArgumentException unprintableDetail) {
      body = encoding.encode(failure.withoutDetails().body());
    }
    if (failure.retryAfterSeconds() > 0) {
      exchange.getResponseHeaders().set("Retry-After", Long.toString(failure.retryAfterSeconds()));
    }
    send(exchange, failure.httpStatus(), encoding, body);
  }

  private static void send(HttpExchange exchange, int status, Encoding encoding, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", encoding.mediaType);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
