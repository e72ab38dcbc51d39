package io.raftlog.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The page: index.html, console.js and console.css, read once from the jar (this package's
 * resources). Any other path outside {@code /api/} is 404. Runs on the HTTP server's threads.
 */
final class StaticFiles implements HttpHandler {
  private record File(String contentType, byte[] bytes) {}

  private final Map<String, File> files =
      Map.of(
          "/", load("index.html", "text/html; charset=utf-8"),
          "/console.js", load("console.js", "text/javascript; charset=utf-8"),
          "/console.css", load("console.css", "text/css; charset=utf-8"));

  private static File load(String name, String contentType) {
    try (InputStream in = StaticFiles.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the console's " + name + " is missing from the jar");
      }
      return new File(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Serves one GET; {@link Exchanges#getOnly} checks the method and closes the exchange. */
  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    File f = files.get(path.equals("/index.html") ? "/" : path);
    if (f == null) {
      Exchanges.error(exchange, 404, "no such page: " + path);
    } else {
      Exchanges.send(exchange, 200, f.contentType(), f.bytes());
    }
  }
}
