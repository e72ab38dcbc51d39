package io.raftlog.server;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * With {@code logging.format=json}, standard output and error carry only JSON lines: logback's
 * lines (already objects) pass as they are; anything else a library prints on its own (Bolt's
 * "Sofa-Middleware-Log ..." notice, a JVM warning, a stack trace printed by hand) becomes one
 * object per line, with the fields logback's JsonEncoder writes ({@code loggerName} "stdout" or
 * "stderr"). Installed by {@link ServerMain} before anything logs; any thread, one line at a time.
 */
final class JsonConsole extends OutputStream {
  private final OutputStream out;
  private final String stream;
  private final String level;
  private final String node;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  private JsonConsole(OutputStream out, String stream, String level, String node) {
    this.out = out;
    this.stream = stream;
    this.level = level;
    this.node = node;
  }

  /** Makes System.out and System.err write JSON lines only, for node {@code node}. */
  static void install(String node) {
    System.setOut(wrap(FileDescriptor.out, "stdout", "INFO", node));
    System.setErr(wrap(FileDescriptor.err, "stderr", "WARN", node));
  }

  private static PrintStream wrap(FileDescriptor fd, String stream, String level, String node) {
    return new PrintStream(
        new JsonConsole(new FileOutputStream(fd), stream, level, node),
        true,
        StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    // A whole JSON line in one write (logback's encoder writes each event so): as it is.
    if (line.size() == 0 && len > 1 && b[off] == '{' && b[off + len - 1] == '\n') {
      out.write(b, off, len);
      return;
    }
    for (int i = off; i < off + len; i++) {
      if (b[i] == '\n') {
        emit();
      } else if (b[i] != '\r') {
        line.write(b[i]);
      }
    }
  }

  private void emit() throws IOException {
    String text = line.toString(StandardCharsets.UTF_8);
    line.reset();
    String json =
        "{\"timestamp\":"
            + System.currentTimeMillis()
            + ",\"level\":\""
            + level
            + "\",\"threadName\":\""
            + escape(Thread.currentThread().getName())
            + "\",\"loggerName\":\""
            + stream
            + "\",\"context\":{\"properties\":{\"node\":\""
            + escape(node)
            + "\"}},\"formattedMessage\":\""
            + escape(text)
            + "\"}\n";
    out.write(json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public synchronized void flush() throws IOException {
    out.flush();
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
