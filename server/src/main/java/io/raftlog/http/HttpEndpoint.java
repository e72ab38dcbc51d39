package io.raftlog.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's HTTP server ({@code http.port}): {@code /metrics} for Prometheus, OTLP/HTTP logs in
 * ({@code POST /v1/logs}) and the web console. The JDK's own {@code com.sun.net.httpserver}: a
 * scrape, a read-only console and bounded OTLP posts need no more, and it adds no dependency to the
 * node. Owned by {@code RaftlogServer}, which routes paths to the handlers of the packages that
 * serve them; handlers run on this server's pool ({@link #MAX_THREADS}; a connection that finds
 * every thread busy is closed at once, so a flood of requests never grows the node's threads).
 */
public final class HttpEndpoint implements AutoCloseable {
  /** Requests served at once, live tails included. */
  public static final int MAX_THREADS = 32;

  private final HttpServer server;
  private final ExecutorService pool;

  private HttpEndpoint(HttpServer server, ExecutorService pool) {
    this.server = server;
    this.pool = pool;
  }

  /** Listens on {@code host:port} (port 0: any free one); routes are added before requests come. */
  public static HttpEndpoint start(String host, int port, String nodeId) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 64);
    } catch (BindException e) {
      throw new IOException(
          "cannot listen for HTTP (/metrics, console) on "
              + host
              + ":"
              + port
              + " (http.port): "
              + e.getMessage(),
          e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool =
        new ThreadPoolExecutor(
            1,
            MAX_THREADS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "raftlog-http-" + nodeId + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    server.setExecutor(pool);
    server.start();
    return new HttpEndpoint(server, pool);
  }

  /** Serves requests whose path starts with {@code prefix} (the longest matching prefix wins). */
  public void route(String prefix, HttpHandler handler) {
    server.createContext(prefix, handler);
  }

  /** host:port it listens on. */
  public String address() {
    InetSocketAddress a = server.getAddress();
    return a.getHostString() + ":" + a.getPort();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
