package io.raftlog.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftlog.client.RaftlogException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ParseResult;

/**
 * How a command that failed ends: one line, {@code raftlog: <message>}, on standard error (a stack
 * trace only with {@code RAFTLOG_DEBUG} set) and an exit code per class of failure. The table is in
 * the footer of {@code raftlog --help}.
 */
final class Failures implements IExecutionExceptionHandler, IExitCodeExceptionMapper {
  static final int UNAVAILABLE = 3;
  static final int REJECTED = 4;
  static final int OTHER = 5;
  static final int INTERRUPTED = 130;
  static final int STDOUT_CLOSED = 141;

  /** gRPC's word when a node closes the connection unasked, as a TLS port does to plaintext. */
  private static final String PLAINTEXT_REFUSED = "Network closed for unknown reason";

  private final CliContext context;

  Failures(CliContext context) {
    this.context = context;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    Throwable t = unwrap(ex);
    if (t instanceof StdoutClosedException) {
      return STDOUT_CLOSED; // quietly, as a tool killed by SIGPIPE would
    }
    PrintWriter err = cmd.getErr();
    err.println("raftlog: " + message(t));
    if (context.debug()) {
      t.printStackTrace(err);
    }
    err.flush();
    return getExitCode(t);
  }

  @Override
  public int getExitCode(Throwable exception) {
    Throwable t = unwrap(exception);
    if (t instanceof CommandLine.ParameterException) {
      return CommandLine.ExitCode.USAGE;
    }
    if (t instanceof RaftlogException r) {
      return exitCode(r.code());
    }
    if (t instanceof StatusRuntimeException s) {
      return exitCode(s.getStatus().getCode());
    }
    if (t instanceof IllegalArgumentException) {
      return REJECTED;
    }
    if (t instanceof InterruptedException) {
      return INTERRUPTED;
    }
    if (t instanceof StdoutClosedException) {
      return STDOUT_CLOSED;
    }
    return OTHER;
  }

  static int exitCode(Status.Code code) {
    if (RaftlogException.retryable(code)) {
      return UNAVAILABLE; // what the client retried until the deadline
    }
    switch (code) {
      case INVALID_ARGUMENT:
      case OUT_OF_RANGE:
      case FAILED_PRECONDITION:
      case ALREADY_EXISTS:
      case NOT_FOUND:
      case PERMISSION_DENIED:
      case UNAUTHENTICATED:
      case UNIMPLEMENTED:
        return REJECTED;
      default:
        return OTHER;
    }
  }

  /** The failure behind the wrappers that futures and picocli put around it. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException
            || t instanceof ExecutionException
            || t instanceof CommandLine.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** One line that says what went wrong, for a person. */
  static String message(Throwable t) {
    String m = t.getMessage();
    String text;
    if (t instanceof RaftlogException) {
      text = m;
    } else if (t instanceof StatusRuntimeException s) {
      Status st = s.getStatus();
      text = st.getCode() + (st.getDescription() == null ? "" : ": " + st.getDescription());
    } else if (t instanceof IOException || t instanceof UncheckedIOException) {
      text = "I/O error: " + (m == null ? t.getClass().getSimpleName() : m);
    } else if (t instanceof IllegalArgumentException) {
      text = m; // the client library's word on a request it will not send
    } else if (t instanceof InterruptedException) {
      text = "interrupted";
    } else {
      text = "unexpected " + t.getClass().getName() + (m == null ? "" : ": " + m);
    }
    if (text == null || text.isBlank()) {
      text = t.getClass().getName();
    }
    if (text.contains(PLAINTEXT_REFUSED)) {
      text +=
          " (a node that requires TLS closes a plaintext connection so: give --ca, and --cert"
              + " and --cert-key for mutual TLS)";
    }
    return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  /** Thrown when standard output is gone (a closed pipe): the command stops without a message. */
  static final class StdoutClosedException extends RuntimeException {
    StdoutClosedException() {
      super("standard output is closed", null, false, false);
    }
  }

  /** Flushes {@code out}; throws {@link StdoutClosedException} if writing to it failed. */
  static void flush(PrintWriter out) {
    out.flush();
    if (out.checkError()) {
      throw new StdoutClosedException();
    }
  }
}
