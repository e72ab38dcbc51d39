package io.raftlog.collector;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads OTLP/HTTP request bodies into memory under two bounds: each body at most {@code maxBytes}
 * after gzip decompression (the spec's "limit the size of the request body when parsing it,
 * including after decompression"), and all bodies held at once by the node's OTLP/HTTP requests at
 * most {@code budgetBytes}. A body is counted from its first byte read until its answer is sent,
 * which covers the decoded export it turns into; the buffer grows as bytes come, so a body that
 * announces a large length but sends little holds little.
 *
 * <p>One instance per node, shared by the HTTP server's threads (the budget is a lock-free
 * counter); each {@link Body} belongs to the thread that serves its request.
 */
final class RequestBodies {
  /** The first buffer of a body whose length is not announced (chunked, or gzip). */
  private static final int FIRST_CHUNK = 64 << 10;

  private final int maxBytes;
  private final long budgetBytes;
  private final AtomicLong held = new AtomicLong();

  RequestBodies(int maxBytes, long budgetBytes) {
    this.maxBytes = maxBytes;
    this.budgetBytes = budgetBytes;
  }

  int maxBytes() {
    return maxBytes;
  }

  /** Bytes held now by bodies being decoded or answered. */
  long held() {
    return held.get();
  }

  /** The body is over {@code maxBytes}: 413, not to be retried. */
  static final class TooLarge extends Exception {
    TooLarge(String message) {
      super(message, null, false, false);
    }
  }

  /** The node holds {@code budgetBytes} of bodies already: 503 with a Retry-After. */
  static final class Overloaded extends Exception {
    Overloaded(String message) {
      super(message, null, false, false);
    }
  }

  /** The gzip stream is corrupt or cut: 400. */
  static final class BadGzip extends Exception {
    BadGzip(String message) {
      super(message, null, false, false);
    }
  }

  /** A body read whole, counted against the budget until closed. */
  final class Body implements AutoCloseable {
    private byte[] bytes = new byte[0];
    private int length;
    private long counted;

    byte[] bytes() {
      return bytes;
    }

    int length() {
      return length;
    }

    /**
     * Doubles the buffer (at first {@link #FIRST_CHUNK}), up to {@code ceiling}: one byte over the
     * length the request announced, so its end is read without growing again, else one over the
     * limit. The growth is counted against the budget.
     */
    private void grow(long ceiling) throws Overloaded {
      int capacity =
          (int) Math.min(ceiling, Math.max(bytes.length * 2L, Math.min(FIRST_CHUNK, ceiling)));
      long delta = capacity - bytes.length;
      if (!acquire(delta)) {
        throw new Overloaded(
            "the node already holds "
                + held.get()
                + " bytes of OTLP/HTTP requests being appended (at most "
                + budgetBytes
                + "); retry after the Retry-After delay");
      }
      counted += delta;
      bytes = Arrays.copyOf(bytes, capacity);
    }

    @Override
    public void close() {
      held.addAndGet(-counted);
      counted = 0;
      bytes = null;
    }
  }

  /**
   * Reads {@code raw} (the request body as sent, {@code announced} bytes long or -1 when unknown),
   * gunzipping it when {@code gzip}. The caller closes the body once the request is answered.
   */
  Body read(InputStream raw, long announced, boolean gzip)
      throws TooLarge, Overloaded, BadGzip, IOException {
    if (announced > maxBytes) {
      throw tooLarge(announced + " bytes");
    }
    Body body = new Body();
    try {
      InputStream in = gzip ? gunzip(raw) : raw;
      long ceiling = announced >= 0 && !gzip ? announced + 1 : maxBytes + 1L;
      while (true) {
        if (body.length == body.bytes.length) {
          if (body.length > maxBytes) {
            throw tooLarge("more than " + maxBytes + " bytes");
          }
          if (body.length == ceiling) {
            ceiling = maxBytes + 1L; // more than announced: the limit still holds
          }
          body.grow(ceiling);
        }
        int n = in.read(body.bytes, body.length, body.bytes.length - body.length);
        if (n < 0) {
          break;
        }
        body.length += n;
        if (body.length > maxBytes) {
          throw tooLarge("more than " + maxBytes + " bytes" + (gzip ? " once gunzipped" : ""));
        }
      }
      return body;
    } catch (ZipException | EOFException e) {
      body.close();
      // EOFException: the gzip stream ends before its trailer (a cut upload is a bad body too).
      throw new BadGzip(
          "the body is not valid gzip (Content-Encoding: gzip): " + String.valueOf(e.getMessage()));
    } catch (TooLarge | Overloaded | IOException | RuntimeException e) {
      body.close();
      throw e;
    }
  }

  /**
   * Reads and drops what is left of a body refused before its end, up to {@code 4 x maxBytes}, so
   * the refusal reaches the client: closing a connection with unread bytes in it resets it, and the
   * reset can destroy the answer before the client reads it (exporters send the whole body before
   * they read an answer). Past that much the connection is closed anyway.
   */
  void drain(InputStream raw) {
    byte[] sink = new byte[8192];
    long left = 4L * maxBytes;
    try {
      while (left > 0) {
        int n = raw.read(sink, 0, (int) Math.min(sink.length, left));
        if (n < 0) {
          return;
        }
        left -= n;
      }
    } catch (IOException gone) {
      // The client went away: nothing to answer.
    }
  }

  private static InputStream gunzip(InputStream raw) throws IOException {
    try {
      return new GZIPInputStream(raw, 8192);
    } catch (ZipException e) {
      throw new ZipException(e.getMessage() + " (the body does not start as gzip does)");
    }
  }

  private TooLarge tooLarge(String size) {
    return new TooLarge(
        "the request body is "
            + size
            + ", over the limit of "
            + maxBytes
            + " bytes (log.max-batch-bytes + 1 MiB, the largest export the node's gRPC endpoint"
            + " takes too): send smaller exports (lower the exporter's batch size)");
  }

  private boolean acquire(long bytes) {
    while (true) {
      long now = held.get();
      if (now + bytes > budgetBytes) {
        return false;
      }
      if (held.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }
}
