package io.raftlog.cli;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.raftlog.api.v1.Record;
import io.raftlog.client.Producer;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogException;
import io.raftlog.wire.ExpectedOffsetMismatch;
import io.raftlog.wire.StreamNames;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code raftlog produce [--stream NAME] [VALUE...]}: appends records, prints their offsets. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Appends records to a stream (--stream, default: the stream 'default') and prints their"
          + " offsets in it, one per line.",
      "",
      "Each VALUE is one record. With no VALUE, each line of standard input is one record: its"
          + " bytes as they are, without the line break (nor a CR before it).",
      "",
      "Records are batched and pipelined, and appended exactly once and in order, also through"
          + " a leader change. When a record fails, the offsets of the records before it are"
          + " printed, then the error, and no further input is read; records already sent after"
          + " it may still be appended (the error then gives their offsets)."
    })
public final class ProduceCommand implements Callable<Integer> {
  /** Marks the end of the offsets to print. */
  private static final CompletableFuture<Long> END = new CompletableFuture<>();

  private final CliContext context;

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Option(
      names = {"-k", "--key"},
      paramLabel = "KEY",
      description = "A key (UTF-8) for every record.")
  String key;

  @Option(
      names = "--stream",
      paramLabel = "NAME",
      defaultValue = StreamNames.DEFAULT,
      converter = StreamNameConverter.class,
      description =
          "The stream to append to (default: ${DEFAULT-VALUE}); it is created by its first"
              + " write.")
  String stream;

  @Option(
      names = "--expected-offset",
      paramLabel = "N",
      description =
          "Append only if the stream's next offset is N (optimistic concurrency): all the"
              + " records go as one batch, appended all or nothing; if the stream is elsewhere,"
              + " nothing is appended and the error names its next offset (exit code 4).")
  Long expectedOffset;

  @Parameters(paramLabel = "VALUE", arity = "0..*", description = "Record values (UTF-8).")
  List<String> values;

  public ProduceCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Iterator<ByteString> source;
    if (values != null && !values.isEmpty()) {
      source = values.stream().map(ByteString::copyFromUtf8).iterator();
    } else {
      if (context.interactive()) {
        spec.commandLine()
            .getErr()
            .println("raftlog: reading records from standard input, one per line (Ctrl-D ends)");
      }
      source = new Lines(context.stdin());
    }
    ByteString recordKey = key == null ? ByteString.EMPTY : ByteString.copyFromUtf8(key);
    if (expectedOffset != null) {
      return conditional(source, recordKey, out);
    }

    try (RaftlogClient client = server.connect()) {
      Producer producer = client.producer();
      Offsets offsets = new Offsets(out);
      offsets.start();
      try {
        while (offsets.failure.get() == null && source.hasNext()) {
          offsets.enqueue(
              producer.send(
                  stream, Record.newBuilder().setKey(recordKey).setValue(source.next()).build()));
        }
      } catch (RuntimeException e) {
        offsets.failure.compareAndSet(null, e);
      } finally {
        offsets.enqueue(END);
        offsets.join();
      }
      Throwable t = offsets.failure.get();
      if (t != null) {
        throw offsets.describe(t);
      }
    }
    return 0;
  }

  /** --expected-offset: every record in one batch, appended only at that offset. */
  private Integer conditional(Iterator<ByteString> source, ByteString recordKey, PrintWriter out) {
    if (expectedOffset < 0) {
      throw new ParameterException(
          spec.commandLine(), "--expected-offset must be >= 0, got " + expectedOffset);
    }
    List<Record> records = new ArrayList<>();
    source.forEachRemaining(
        v -> records.add(Record.newBuilder().setKey(recordKey).setValue(v).build()));
    if (records.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "no records to produce");
    }
    List<Long> offsets;
    try (RaftlogClient client = server.connect()) {
      try {
        offsets = client.produce(stream, records, expectedOffset);
      } catch (RaftlogException e) {
        if (e.code() != Status.Code.FAILED_PRECONDITION) {
          throw e;
        }
        throw new RaftlogException(e.code(), conflict(e), e);
      }
    }
    for (long offset : offsets) {
      out.println(offset);
    }
    Failures.flush(out);
    return 0;
  }

  /**
   * The refusal as the CLI prints it: with the stream's next offset from the status detail, a hint
   * to retry there; without the detail (a refusal for another reason), the cluster's own message.
   */
  private String conflict(RaftlogException e) {
    return ExpectedOffsetMismatch.of(e)
        .map(
            m ->
                String.format(
                    "stream '%s' is at offset %d, not the expected %d: nothing was appended"
                        + " (FAILED_PRECONDITION; retry with --expected-offset %d)",
                    stream, m.nextOffset(), expectedOffset, m.nextOffset()))
        .orElse(e.getMessage());
  }

  /**
   * Prints offsets as they are acknowledged, also while the next line is still being typed or piped
   * in: futures complete in send order, so printing them in order never waits for a later record.
   * After a failure it prints no more offsets (line i of the output stays record i of the input)
   * but notes which records sent after the failed one were appended all the same.
   */
  private static final class Offsets extends Thread {
    // Bounded, so a stalled standard output stops the reading of input instead of filling memory.
    final LinkedBlockingQueue<CompletableFuture<Long>> sent = new LinkedBlockingQueue<>(100_000);
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final PrintWriter out;

    void enqueue(CompletableFuture<Long> f) {
      try {
        sent.put(f);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    private long appendedAfter;
    private long firstAfter = -1;
    private long lastAfter = -1;

    Offsets(PrintWriter out) {
      super("raftlog-produce-offsets");
      this.out = out;
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        while (true) {
          CompletableFuture<Long> next = sent.poll();
          if (next == null) {
            Failures.flush(out); // caught up: show what we have
            next = sent.take();
          }
          if (next == END) {
            break;
          }
          long offset;
          try {
            offset = next.join();
          } catch (CompletionException | CancellationException e) {
            failure.compareAndSet(null, e);
            continue;
          }
          if (failure.get() == null) {
            out.println(offset);
          } else {
            appendedAfter++;
            firstAfter = firstAfter < 0 ? offset : firstAfter;
            lastAfter = offset;
          }
        }
        Failures.flush(out);
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
        out.flush();
      }
    }

    /** The failure to report, with the records appended after it if there were any. */
    Exception describe(Throwable t) {
      Throwable cause = Failures.unwrap(t);
      if (appendedAfter > 0 && cause instanceof RaftlogException r) {
        return new RaftlogException(
            r.code(),
            String.format(
                "%s; %d record%s sent after it %s appended all the same, at offset%s %s",
                r.getMessage(),
                appendedAfter,
                appendedAfter == 1 ? "" : "s",
                appendedAfter == 1 ? "was" : "were",
                appendedAfter == 1 ? "" : "s",
                appendedAfter == 1 ? firstAfter : firstAfter + " to " + lastAfter),
            r);
      }
      if (t instanceof Exception e) {
        return e;
      }
      throw (Error) t;
    }
  }

  /** The lines of a byte stream, as bytes: no charset decoding, so any bytes pass unchanged. */
  static final class Lines implements Iterator<ByteString> {
    private final InputStream in;
    private ByteString next;
    private boolean eof;

    Lines(InputStream in) {
      this.in = new BufferedInputStream(in, 1 << 16);
    }

    @Override
    public boolean hasNext() {
      if (next == null && !eof) {
        next = read();
      }
      return next != null;
    }

    @Override
    public ByteString next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      ByteString line = next;
      next = null;
      return line;
    }

    private ByteString read() {
      ByteArrayOutputStream line = new ByteArrayOutputStream(128);
      try {
        int b;
        while ((b = in.read()) != -1) {
          if (b == '\n') {
            return trimCr(line.toByteArray());
          }
          line.write(b);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("reading standard input: " + e.getMessage(), e);
      }
      eof = true;
      return line.size() == 0 ? null : trimCr(line.toByteArray()); // a last line without \n
    }

    private static ByteString trimCr(byte[] line) {
      int n = line.length;
      return n > 0 && line[n - 1] == '\r'
          ? ByteString.copyFrom(line, 0, n - 1)
          : ByteString.copyFrom(line);
    }
  }
}
