package io.raftlog.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * How the console answers: JSON bodies, the headers every answer carries, the GET-only rule, and
 * errors as {@code {"error": ...}} with the HTTP status a gRPC status maps to. Runs on the HTTP
 * server's threads.
 */
final class Exchanges {
  /**
   * The page loads only its own script and style, and talks only to its own node: even a value that
   * slipped into the DOM as markup could not run a script or send data elsewhere.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private Exchanges() {}

  /**
   * Whether the request is a GET; else answers 405 (the console is read-only) and the caller stops.
   */
  static boolean isGet(HttpExchange exchange) throws IOException {
    if ("GET".equals(exchange.getRequestMethod())) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", "GET");
    error(exchange, 405, "the console is read-only: only GET is served");
    return false;
  }

  /**
   * {@code serve} behind the one rule every console route shares: GET only (else 405, see {@link
   * #isGet}), and the exchange closed once answered.
   */
  static HttpHandler getOnly(HttpHandler serve) {
    return exchange -> {
      try (exchange) {
        if (isGet(exchange)) {
          serve.handle(exchange);
        }
      }
    };
  }

  static void commonHeaders(HttpExchange exchange, String contentType) {
    var h = exchange.getResponseHeaders();
    h.set("Content-Type", contentType);
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    h.set("Referrer-Policy", "no-referrer");
  }

  static void send(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    commonHeaders(exchange, contentType);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  static void json(HttpExchange exchange, int status, String json) throws IOException {
    send(
        exchange, status, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
  }

  static void error(HttpExchange exchange, int status, String message) throws IOException {
    json(exchange, status, "{\"error\":" + Json.quote(message) + "}");
  }

  /** A failed gRPC call: its status as HTTP's, its message as the error, its code beside it. */
  static void grpcError(HttpExchange exchange, StatusRuntimeException e) throws IOException {
    Status s = e.getStatus();
    String message = s.getDescription() != null ? s.getDescription() : s.getCode().name();
    json(
        exchange,
        httpStatus(s.getCode()),
        "{\"error\":" + Json.quote(message) + ",\"code\":" + Json.quote(s.getCode().name()) + "}");
  }

  /** The mapping Google's HTTP gateways use (google/rpc/code.proto). */
  static int httpStatus(Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case RESOURCE_EXHAUSTED -> 429;
      case CANCELLED -> 499;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      default -> 500;
    };
  }
}
