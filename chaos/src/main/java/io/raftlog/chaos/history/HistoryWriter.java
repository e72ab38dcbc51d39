package io.raftlog.chaos.history;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a history to a JSON-lines file, one {@link Op} a line. Thread-safe: the producer's
 * completion thread, the subscription's and the reader's threads and the run's own thread all
 * record through one writer; each {@link #record} takes the writer's lock, stamps the line's time
 * (nanoseconds since the writer was opened) and appends it to a 1 MiB buffer, so the file is in
 * time order and a line records an event no earlier than it happened. The run owns the writer and
 * closes it before the checker reads the file.
 */
public final class HistoryWriter implements AutoCloseable {
  static final JsonFactory JSON = new JsonFactoryBuilder().rootValueSeparator("\n").build();

  private final long start = System.nanoTime();
  private final AtomicLong ids = new AtomicLong();
  private final JsonGenerator out;
  private long lines;
  private boolean closed;

  public HistoryWriter(Path file) throws IOException {
    OutputStream stream = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
    this.out = JSON.createGenerator(stream, JsonEncoding.UTF8);
  }

  /** A new operation id, unique in this history. */
  public long nextId() {
    return ids.incrementAndGet();
  }

  /** Appends {@code op} stamped with the time now; its own {@code time} is ignored. */
  public synchronized void record(Op op) {
    if (closed) {
      return; // a late callback after the run stopped recording: nothing left to judge it by
    }
    try {
      write(out, op.at(System.nanoTime() - start));
      lines++;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Lines written so far. */
  public synchronized long lines() {
    return lines;
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    out.writeRaw('\n');
    out.close();
  }

  static void write(JsonGenerator g, Op op) throws IOException {
    g.writeStartObject();
    g.writeNumberField("id", op.id());
    g.writeStringField("type", op.type().json());
    g.writeStringField("f", op.f().json());
    g.writeNumberField("time", op.time());
    if (op.node() != null) {
      g.writeStringField("node", op.node());
    }
    if (op.stream() != null) {
      g.writeStringField("stream", op.stream());
    }
    if (op.consumer() != null) {
      g.writeStringField("consumer", op.consumer());
    }
    if (op.offset() >= 0) {
      g.writeNumberField("offset", op.offset());
    }
    if (op.max() > 0) {
      g.writeNumberField("max", op.max());
    }
    if (op.value() != null) {
      g.writeStringField("value", op.value());
    }
    if (op.offsets() != null) {
      g.writeFieldName("offsets");
      g.writeArray(op.offsets(), 0, op.offsets().length);
    }
    if (op.values() != null) {
      g.writeArrayFieldStart("values");
      for (String v : op.values()) {
        g.writeString(v);
      }
      g.writeEndArray();
    }
    if (op.code() != null) {
      g.writeStringField("code", op.code());
    }
    if (op.error() != null) {
      g.writeStringField("error", op.error());
    }
    g.writeEndObject();
  }
}
